"""Characteristic labels and actionable flags (issue #12 item 3, findings M7 / L4): English labels
are words (no formulas, no Chinese), and what a borrower is advised to change makes sense."""

from __future__ import annotations

import re

import pytest

from creditfactory.scoring.features import INVOICE_FEATURES
from creditfactory.scoring.training.datasets import CUMCM_ACTIONABLE, SBA_ACTIONABLE, SBA_LABELS

CJK = re.compile(r"[\u3400-\u9fff]")
FORMULA = re.compile(r"[/=×÷−+*]|\(\s*\w+\s*[−-]")
ENGLISH = [en for _, en in INVOICE_FEATURES.values()] + [v["en"] for v in SBA_LABELS.values()]


@pytest.mark.parametrize("label", ENGLISH)
def test_english_labels_are_words(label: str) -> None:
    assert not CJK.search(label), label
    assert not FORMULA.search(label), label


def test_credit_notes_and_voids_are_not_advice_targets() -> None:
    # advising a firm to issue more red-letter (红字) or void (作废) invoices would be perverse
    for name in INVOICE_FEATURES:
        if name.startswith(("negative_", "void_")):
            assert name not in CUMCM_ACTIONABLE, name
    assert set(CUMCM_ACTIONABLE) <= set(INVOICE_FEATURES)
    # history, size and legal form cannot be changed for a new application
    for fixed in ("months_since_first_invoice", "active_months_sales", "sales_monthly_mean"):
        assert fixed not in CUMCM_ACTIONABLE
    assert "Term" not in SBA_ACTIONABLE  # excluded as leaked; never advice
