"""The organisation's use cases: add a branch (总行 / 分行 / 支行) and list them.

A branch is added by the deployment's operator (`creditfactory branches add`), checked against
the tree's rules (`access.branches.check_new_branch`) and stored with its audit leaf in one
transaction; the `branches` rows are under row evidence, so a hand-edited parent is named by
`audit verify`.
"""

from __future__ import annotations

from typing import Any

from creditfactory.access.branches import Branch, BranchLevel, check_new_branch
from creditfactory.kernel.errors import ValidationError
from creditfactory.service_layer.approval_flow import leaf
from creditfactory.service_layer.factory_ports import OfficeWiring

__all__ = ["add_branch", "branch_dict", "list_branches"]


def branch_dict(branch: Branch) -> dict[str, Any]:
    """JSON-ready form: branch_id, name, name_en, level, level_zh, parent_id."""
    return {
        "branch_id": branch.branch_id,
        "name": branch.name,
        "name_en": branch.name_en,
        "level": branch.level.value,
        "level_zh": branch.level.zh,
        "parent_id": branch.parent_id,
    }


def _level(text: str) -> BranchLevel:
    try:
        return BranchLevel(text)
    except ValueError:
        raise ValidationError("level", "branch (分行) | sub_branch (支行)") from None


def add_branch(
    wiring: OfficeWiring, branch_id: str, name: str, name_en: str, level: str, parent_id: str,
    actor: str,
) -> dict[str, Any]:  # fmt: skip
    """Store a new branch under `parent_id`; returns it (`branch_dict`). raises
    ValidationError naming branch_id, name, level or parent (`check_new_branch`)."""
    branch = Branch(branch_id, name.strip(), name_en.strip(), _level(level), parent_id)
    with wiring.uow() as uow:
        check_new_branch(branch, uow.branches.get(parent_id), uow.branches.parents())
        uow.branches.add(branch, wiring.clock.now())
        uow.applications.audit([leaf(wiring, actor, "branch.added", f"branch:{branch_id}",
                                     branch_dict(branch))])  # fmt: skip
        uow.commit()
    return branch_dict(branch)


def list_branches(wiring: OfficeWiring) -> list[dict[str, Any]]:
    """Every branch (`branch_dict`), the head office first, then 分行, then 支行."""
    with wiring.uow() as uow:
        return [branch_dict(b) for b in uow.branches.listed()]
