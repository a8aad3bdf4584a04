"""The workbench's rate filter: a yearly rate kept as a fraction shown in percent (the decision
records and offers keep "0.0875"; a person reads "8.75 %"), never from a float."""

from __future__ import annotations

from decimal import Decimal

import pytest

from creditfactory.adapters.web.formatting import pct


@pytest.mark.parametrize(("rate", "shown"), [
    ("0.0875", "8.75 %"), ("0.04", "4 %"), (Decimal("0.15"), "15 %"), ("0.0400", "4 %"),
    ("0.123456789", "12.3457 %"), (None, ""), ("", ""),
])  # fmt: skip
def test_rates_in_percent(rate: object, shown: str) -> None:
    assert pct(rate) == shown  # type: ignore[arg-type]


def test_a_float_is_refused() -> None:
    with pytest.raises(TypeError):
        pct(0.0875)  # type: ignore[arg-type]
