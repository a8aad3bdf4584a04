"""`creditfactory schedule`: print a repayment schedule (还款计划) as a table or JSON.

Contract (acceptance checks call exactly this):
    creditfactory schedule --principal 5000 --annual-rate 0.12 --term 18 \
        --method equal_installment --disbursement-date 2022-11-01 [--first-due-date 2022-12-01] \
        [--day-count ACT_360] [--interest-basis monthly|daily] [--installment-multiple 1] \
        [--rounding half_up|half_even] [--format table|json]
JSON: {"installments": [{"seq", "due_date", "principal", "interest", "installment",
"outstanding"}], "total_principal", "total_interest"}; amounts are decimal strings ("278.00"),
dates ISO. Every option is parsed here from its text (amounts as Decimal, never float); bad input
raises ValidationError(field, rule), which main prints as one line and exits 2.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from creditfactory.kernel.daycount import DayCount
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money, RoundingMode
from creditfactory.kernel.rates import Rate
from creditfactory.servicing.schedules import (
    InterestBasis,
    RepaymentSchedule,
    ScheduleTerms,
    build_schedule,
    parse_method,
)

E = TypeVar("E", bound=Enum)


def _decimal(field: str, text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValidationError(field, f"must be a decimal number, got {text!r}") from None
    if not value.is_finite():
        raise ValidationError(field, f"must be a finite number, got {text!r}")
    return value


def _integer(field: str, text: str) -> int:
    value = _decimal(field, text)
    if value != value.to_integral_value():
        raise ValidationError(field, f"must be a whole number, got {text!r}")
    return int(value)


def _date(field: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(field, f"must be an ISO date YYYY-MM-DD, got {text!r}") from None


def _choice(field: str, text: str, enum: type[E]) -> E:
    for member in enum:
        if text.strip().lower() in (str(member.value).lower(), member.name.lower()):
            return member
    names = ", ".join(str(m.value) for m in enum)
    raise ValidationError(field, f"must be one of {names}, got {text!r}")


def terms_from_text(
    principal: str,
    annual_rate: str,
    term: str,
    method: str,
    disbursement_date: str,
    first_due_date: str | None = None,
    day_count: str = "ACT_360",
    interest_basis: str = "monthly",
    installment_multiple: str | None = None,
    rounding: str = "half_up",
) -> ScheduleTerms:
    """ScheduleTerms from the command's option texts; raises ValidationError(field, rule)."""
    rate = _decimal("annual_rate", annual_rate)
    if rate < 0:
        raise ValidationError("annual_rate", f"must be >= 0, got {annual_rate!r}")
    multiple = (
        None
        if installment_multiple is None
        else _decimal("installment_multiple", installment_multiple)
    )
    return ScheduleTerms(
        principal=Money.of(_decimal("principal", principal)),
        annual_rate=Rate.of(rate),
        term=_integer("term", term),
        method=parse_method(method.strip()),
        disbursement_date=_date("disbursement_date", disbursement_date),
        first_due_date=None if first_due_date is None else _date("first_due_date", first_due_date),
        day_count=_choice("day_count", day_count, DayCount),
        interest_basis=_choice("interest_basis", interest_basis, InterestBasis),
        installment_multiple=multiple,
        rounding=_choice("rounding", rounding, RoundingMode),
    )


def _amount(money: Money) -> str:
    return format(money.rounded().amount, "f")


def schedule_to_json(schedule: RepaymentSchedule) -> dict[str, Any]:
    """The contract's JSON shape (amounts as strings, dates ISO)."""
    rows = [
        {
            "seq": row.seq,
            "due_date": row.due_date.isoformat(),
            "principal": _amount(row.principal_due),
            "interest": _amount(row.interest_due),
            "installment": _amount(row.installment),
            "outstanding": _amount(row.outstanding),
        }
        for row in schedule.installments
    ]
    return {
        "installments": rows,
        "total_principal": _amount(schedule.total_principal),
        "total_interest": _amount(schedule.total_interest),
    }


def _table(schedule: RepaymentSchedule) -> Table:
    table = Table(title=f"Repayment schedule ({schedule.currency})")
    for name in ("#", "due date", "principal", "interest", "installment", "outstanding"):
        table.add_column(name, justify="left" if name == "due date" else "right")
    for row in schedule_to_json(schedule)["installments"]:
        table.add_row(*(str(value) for value in row.values()))
    table.add_section()
    total_due = _amount(schedule.total_due)
    table.add_row(
        "Σ", "", _amount(schedule.total_principal), _amount(schedule.total_interest), total_due, ""
    )
    return table


def schedule(
    principal: str = typer.Option(..., help="Loan amount, e.g. 100000 (decimal text)."),
    annual_rate: str = typer.Option(..., help="Annual rate as a fraction, e.g. 0.0445."),
    term: str = typer.Option(..., help="Number of installments (BULLET: periods to maturity)."),
    method: str = typer.Option(
        ..., help="equal_installment | equal_principal | interest_only | bullet"
    ),
    disbursement_date: str = typer.Option(..., help="ISO date the money leaves."),
    first_due_date: str | None = typer.Option(None, help="ISO date; default one month later."),
    day_count: str = typer.Option("ACT_360", help="ACT_360 | ACT_365F | ACT_ACT_ISDA | …"),
    interest_basis: str = typer.Option("monthly", help="monthly (rate/12) | daily (day count)"),
    installment_multiple: str | None = typer.Option(
        None, help="Round the level installment half-up to a multiple of this (e.g. 1)."
    ),
    rounding: str = typer.Option("half_up", help="half_up | half_even"),
    output_format: str = typer.Option("table", "--format", help="table | json"),
) -> None:
    """Print the repayment schedule of a loan (等额本息/等额本金/先息后本/一次性还本付息)."""
    if output_format not in ("table", "json"):
        raise ValidationError("format", f"must be table or json, got {output_format!r}")
    terms = terms_from_text(
        principal,
        annual_rate,
        term,
        method,
        disbursement_date,
        first_due_date,
        day_count,
        interest_basis,
        installment_multiple,
        rounding,
    )
    result = build_schedule(terms)
    if output_format == "json":
        typer.echo(json.dumps(schedule_to_json(result), ensure_ascii=False))
    else:
        Console().print(_table(result))


def register(app: typer.Typer) -> None:
    """Add `schedule` to the creditfactory command."""
    app.command("schedule")(schedule)
