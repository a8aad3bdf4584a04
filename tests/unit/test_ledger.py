"""Journal entries balance, name known accounts, are rounded, and reverse exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.kernel.money import Money
from creditfactory.ledger import (
    A,
    EmptyEntry,
    JournalEntry,
    Posting,
    UnbalancedEntry,
    UnknownAccount,
    reversal_of,
    trial_balance,
)

D = date(2024, 1, 31)


def _entry(*legs: Posting) -> JournalEntry:
    return JournalEntry.build("je_1", D, "Test", "loan_1", legs)


def test_balanced_entry_builds() -> None:
    entry = _entry(
        Posting.debit(A.LOAN_PRINCIPAL, Money.of("100.00")),
        Posting.credit(A.SETTLEMENT, Money.of("100.00")),
    )
    assert [p.amount.amount for p in entry.postings] == [Decimal("100.00"), Decimal("-100.00")]


def test_unbalanced_entry_is_refused() -> None:
    with pytest.raises(UnbalancedEntry):
        _entry(
            Posting.debit(A.LOAN_PRINCIPAL, Money.of("100.00")),
            Posting.credit(A.SETTLEMENT, Money.of("99.99")),
        )


def test_unrounded_leg_is_refused() -> None:
    with pytest.raises(UnbalancedEntry):
        _entry(
            Posting.debit(A.LOAN_PRINCIPAL, Money.of("0.005")),
            Posting.credit(A.SETTLEMENT, Money.of("0.005")),
        )


def test_unknown_account_and_empty_entry_are_refused() -> None:
    with pytest.raises(UnknownAccount):
        _entry(Posting.debit("9999", Money.of("1")), Posting.credit(A.SETTLEMENT, Money.of("1")))
    with pytest.raises(EmptyEntry):
        _entry(Posting.debit(A.SETTLEMENT, Money.zero()))


def test_reversal_cancels_the_entry() -> None:
    entry = _entry(
        Posting.debit(A.INTEREST_RECEIVABLE, Money.of("12.34")),
        Posting.credit(A.INTEREST_INCOME, Money.of("12.34")),
    )
    back = reversal_of(entry, "je_2", D)
    assert back.reverses == "je_1"
    assert all(m.is_zero() for m in trial_balance([entry, back]).values())


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e9"), places=2)


@given(
    st.lists(
        st.tuples(st.sampled_from([A.LOAN_PRINCIPAL, A.INTEREST_RECEIVABLE]), amounts), min_size=1
    )
)
def test_any_balanced_set_of_entries_has_a_zero_trial_balance(
    legs: list[tuple[str, Decimal]],
) -> None:
    entries = [
        JournalEntry.build(
            f"je_{i}",
            D,
            "Test",
            "x",
            [Posting.debit(acct, Money(amt)), Posting.credit(A.SETTLEMENT, Money(amt))],
        )
        for i, (acct, amt) in enumerate(legs)
    ]
    assert sum(m.amount for m in trial_balance(entries).values()) == 0
