"""The organisation tree (access.branches): the rules of 总行 / 分行 / 支行 and the subtree an
officer's scope covers — by hand and as properties over random trees, the pure function and its
SQL twin (`branch_store.subtree_ids`, a recursive CTE) agreeing on every node."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, insert

from creditfactory.access.branches import (
    HEAD_OFFICE,
    Branch,
    BranchLevel,
    check_new_branch,
    subtree,
)
from creditfactory.adapters.storage.branch_store import BranchStore
from creditfactory.adapters.storage.engine import make_engine
from creditfactory.adapters.storage.identity_tables import branches
from creditfactory.adapters.storage.migrations import upgrade_schema
from creditfactory.kernel.errors import ValidationError
from creditfactory.service_layer.ownership import scope_of

HQ = Branch(HEAD_OFFICE, "总行", "Head office", BranchLevel.HEAD, None)
SH = Branch("SH", "上海分行", "Shanghai", BranchLevel.BRANCH, HEAD_OFFICE)
PD = Branch("PD", "浦东支行", "Pudong", BranchLevel.SUB_BRANCH, "SH")


def _new(branch_id: str, level: BranchLevel, parent: str | None, name: str = "某支行") -> Branch:
    return Branch(branch_id, name, "", level, parent)


@pytest.mark.parametrize(
    ("new", "parent", "field"),
    [
        (_new("XH", BranchLevel.SUB_BRANCH, "SH"), SH, None),  # 支行 under a 分行
        (_new("ZS", BranchLevel.SUB_BRANCH, HEAD_OFFICE), HQ, None),  # 总行直属支行
        (_new("BJ", BranchLevel.BRANCH, HEAD_OFFICE), HQ, None),
        (_new("BJ", BranchLevel.BRANCH, "SH"), SH, "parent"),  # a 分行 under a 分行
        (_new("X", BranchLevel.SUB_BRANCH, "PD"), PD, "parent"),  # a 支行 under a 支行
        (_new("HQ2", BranchLevel.HEAD, None), None, "level"),  # one head office
        (_new("NEW", BranchLevel.SUB_BRANCH, "NOPE"), None, "parent"),
        (_new("SH", BranchLevel.BRANCH, HEAD_OFFICE), HQ, "branch_id"),  # taken
        (_new("a b", BranchLevel.BRANCH, HEAD_OFFICE), HQ, "branch_id"),
        (_new("x" * 33, BranchLevel.BRANCH, HEAD_OFFICE), HQ, "branch_id"),
        (_new("ok", BranchLevel.BRANCH, HEAD_OFFICE, name=" "), HQ, "name"),
    ],
)
def test_tree_rules(new: Branch, parent: Branch | None, field: str | None) -> None:
    existing = [HEAD_OFFICE, "SH", "PD"]
    if field is None:
        check_new_branch(new, parent, existing)
        return
    with pytest.raises(ValidationError) as refused:
        check_new_branch(new, parent, existing)
    assert refused.value.field == field


def test_subtree_by_hand() -> None:
    parents = {"HQ": None, "SH": "HQ", "PD": "SH", "XH": "SH", "BJ": "HQ", "CY": "BJ"}
    assert subtree(parents, "HQ") == frozenset(parents)
    assert subtree(parents, "SH") == {"SH", "PD", "XH"}
    assert subtree(parents, "PD") == {"PD"}  # not its sibling XH
    assert subtree(parents, "NOPE") == frozenset()


@st.composite
def trees(draw: st.DrawFn) -> dict[str, str | None]:
    """Random trees rooted at HQ: node i hangs under one of the nodes before it."""
    size = draw(st.integers(min_value=1, max_value=25))
    parents: dict[str, str | None] = {HEAD_OFFICE: None}
    names = [HEAD_OFFICE]
    for i in range(1, size):
        parents[f"b{i}"] = draw(st.sampled_from(names))
        names.append(f"b{i}")
    return parents


def _ancestors(parents: dict[str, str | None], node: str) -> set[str]:
    found, at = {node}, parents[node]
    while at is not None:
        found.add(at)
        at = parents[at]
    return found


@given(trees())
def test_subtree_is_everything_whose_ancestors_include_the_root(
    parents: dict[str, str | None],
) -> None:
    assert subtree(parents, HEAD_OFFICE) == frozenset(parents)  # the head office sees all
    for root in parents:
        below = subtree(parents, root)
        assert below == {n for n in parents if root in _ancestors(parents, n)}
        for node in below - {root}:  # nested: a node's subtree lies inside its parent's
            assert subtree(parents, node) < below


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database: writes to `branches` leave row evidence in the audit tables."""
    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('branches') / 'b.sqlite3'}")
    upgrade_schema(eng)
    yield eng
    eng.dispose()


@settings(max_examples=40, deadline=None)
@given(parents=trees())
def test_the_sql_subtree_equals_the_pure_one(
    engine: Engine, parents: dict[str, str | None]
) -> None:
    at = datetime(2026, 12, 7, tzinfo=UTC)
    with engine.begin() as db:
        db.execute(delete(branches))
        for branch_id, parent in parents.items():  # parents first: insertion order
            level = "head" if parent is None else "sub_branch"
            db.execute(insert(branches).values(branch_id=branch_id, name=branch_id,
                                               name_en="", level=level, parent_id=parent,
                                               created_at=at))  # fmt: skip
        store = BranchStore(db)
        for root in parents:
            scope = scope_of(root)
            pure = subtree(parents, root)
            for node in parents:
                assert store.in_scope(node, scope) is (node in pure), (root, node)
