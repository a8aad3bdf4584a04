"""The organisation: branches as a hierarchy held as data — 总行 (head office) → 分行 (branch) →
支行 (sub-branch) — and the subtree an officer's scope covers.

Every officer, application and loan belongs to one branch; an officer sees and acts on the objects
of their own branch and of those below it, so an officer of the head office sees everything and a
支行 officer only their 支行 (issue 14 "Organisation"). This module holds the rules only (pure);
storage is `adapters/storage/branch_store.py`, the check `service_layer/ownership.py`.

Rules of the tree (`check_new_branch`):
- exactly one head office, `HEAD_OFFICE` ("HQ"), created by the schema migration; it has no parent;
- a 分行 hangs under the head office; a 支行 under a 分行 or directly under the head office
  (a 总行直属支行);
- ids are 1–32 letters, digits, '_', '.' or '-'; a branch is never re-parented or deleted here
  (moving a branch would move every object under it to other officers' eyes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Final

from creditfactory.kernel.errors import ValidationError

__all__ = [
    "BRANCH_ID",
    "HEAD_OFFICE",
    "Branch",
    "BranchLevel",
    "check_new_branch",
    "subtree",
]

HEAD_OFFICE: Final = "HQ"
"""The head office (总行): created by the migration; every existing row belongs to it."""

BRANCH_ID: Final = re.compile(r"[A-Za-z0-9_.-]{1,32}")


class BranchLevel(str, Enum):
    """The three levels, top to bottom, with their Chinese names (`zh`)."""

    HEAD = "head"
    BRANCH = "branch"
    SUB_BRANCH = "sub_branch"

    @property
    def zh(self) -> str:
        """总行 / 分行 / 支行."""
        return {"head": "总行", "branch": "分行", "sub_branch": "支行"}[self.value]


_PARENT_LEVELS: Final = {
    BranchLevel.HEAD: frozenset[BranchLevel](),
    BranchLevel.BRANCH: frozenset({BranchLevel.HEAD}),
    BranchLevel.SUB_BRANCH: frozenset({BranchLevel.HEAD, BranchLevel.BRANCH}),
}


@dataclass(frozen=True, slots=True)
class Branch:
    """One node: `branch_id`, Chinese `name` (e.g. "浦东支行"), English `name_en`, `level`,
    `parent_id` (None for the head office only)."""

    branch_id: str
    name: str
    name_en: str
    level: BranchLevel
    parent_id: str | None


def check_new_branch(new: Branch, parent: Branch | None, existing_ids: Iterable[str]) -> None:
    """Refuse a branch that breaks the tree's rules (module docstring). `parent` is the stored
    row of `new.parent_id` (None when unknown). raises ValidationError naming the field
    (branch_id, name, level, parent)."""
    if not BRANCH_ID.fullmatch(new.branch_id):
        raise ValidationError("branch_id", "1–32 letters, digits, '_', '.' or '-'")
    if new.branch_id in set(existing_ids):
        raise ValidationError("branch_id", f"{new.branch_id!r} exists already")
    if not new.name.strip() or len(new.name) > 100 or len(new.name_en) > 100:
        raise ValidationError("name", "1–100 characters (the Chinese name is required)")
    if new.level is BranchLevel.HEAD:
        raise ValidationError("level", "there is one head office (总行), created with the schema")
    if new.parent_id is None or parent is None:
        raise ValidationError("parent", f"no branch {new.parent_id!r}")
    if parent.level not in _PARENT_LEVELS[new.level]:
        allowed = " or ".join(sorted(f"{lv.zh} {lv.value}" for lv in _PARENT_LEVELS[new.level]))
        raise ValidationError(
            "parent",
            f"a {new.level.zh} ({new.level.value}) hangs under a {allowed}, "
            f"not the {parent.level.zh} {parent.branch_id}",
        )


def subtree(parents: Mapping[str, str | None], root: str) -> frozenset[str]:
    """`root` and every branch below it, from `parents` (branch id → parent id, None for the
    head office). The same set `branch_store.subtree_ids` selects in SQL. An id absent from
    `parents` has an empty subtree (an officer of an unknown branch sees nothing)."""
    if root not in parents:
        return frozenset()
    children: dict[str, list[str]] = {}
    for branch_id, parent_id in parents.items():
        if parent_id is not None:
            children.setdefault(parent_id, []).append(branch_id)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:  # a cycle cannot be stored (parents exist first); be safe
                found.add(child)
                todo.append(child)
    return frozenset(found)
