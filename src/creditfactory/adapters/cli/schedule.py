"""`creditfactory schedule`: print a repayment schedule (还款计划) for loan terms.

Contract:
- Required: --principal (decimal yuan, at most 2 places), --annual-rate (a fraction "0.0435" or a
  percent "4.35%"), --term (periods), --start-date (YYYY-MM-DD, the value date).
- Optional: --method (equal_installment | equal_principal | interest_only_bullet | bullet |
  flat_interest), --frequency (monthly | quarterly | weekly | biweekly | <n>d | <n>w | <n>m),
  --first-due-date, --day-count (periodic = annual ÷ periods a year, or a DayCount name such as
  ACT_360), --grace-on-principal, --rounding (half_up | half_even), --installment-multiple,
  --adjust-emi, --date-adjustment (none | following | modified_following | preceding, on the
  mainland China bank calendar), --currency, --format (table | json | csv).
- Output: table (rich) by default; json is one object {terms, level_payment, installments,
  totals} with amounts as decimal strings (exact to the minor unit); csv has one header row.
- Exit 0 on success; 2 with one line "error: <field>: <rule>" on stderr for bad input or a
  schedule that cannot amortize.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from creditfactory.kernel.calendar import DateAdjustment, china_calendar
from creditfactory.kernel.daycount import DayCount
from creditfactory.kernel.errors import CalendarError, ValidationError
from creditfactory.kernel.money import MINOR_UNITS, Money, RoundingMode
from creditfactory.kernel.rates import Rate
from creditfactory.servicing.amortization import build_schedule
from creditfactory.servicing.due_dates import PeriodUnit, RepaymentFrequency
from creditfactory.servicing.errors import ScheduleDoesNotAmortize
from creditfactory.servicing.schedule import AmortizationMethod, RepaymentSchedule, ScheduleTerms

__all__ = ["register", "schedule_to_dict", "terms_from_options"]

_NAMED_FREQUENCIES = {
    "monthly": RepaymentFrequency(PeriodUnit.MONTHS, 1),
    "quarterly": RepaymentFrequency(PeriodUnit.MONTHS, 3),
    "weekly": RepaymentFrequency(PeriodUnit.WEEKS, 1),
    "biweekly": RepaymentFrequency(PeriodUnit.WEEKS, 2),
}
_UNITS = {"d": PeriodUnit.DAYS, "w": PeriodUnit.WEEKS, "m": PeriodUnit.MONTHS}
_AMOUNTS = ("principal_due", "interest_due", "fee_due", "penalty_due", "total_due", "balance_after")
_COLUMNS = ("seq", "due_date", "period_start", "period_end", "days", *_AMOUNTS)
_TABLE = {"seq": "#", "due_date": "due", "days": "days", "principal_due": "principal"}
_TABLE |= {"interest_due": "interest", "total_due": "total", "balance_after": "balance"}


def _required(field: str, value: str | None) -> str:
    if value is None or not value.strip():
        raise ValidationError(field, "is required")
    return value.strip()


def _decimal(field: str, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(field, f"must be a decimal number, got {text!r}") from None
    if not value.is_finite():
        raise ValidationError(field, f"must be a finite number, got {text!r}")
    return value


def _integer(field: str, text: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", text.strip()):
        raise ValidationError(field, f"must be a whole number, got {text!r}")
    return int(text)


def _date(field: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(field, f"must be a date YYYY-MM-DD, got {text!r}") from None


def _choice(field: str, text: str, choices: dict[str, Any]) -> Any:
    key = text.strip().lower()
    if key not in choices:
        raise ValidationError(field, f"must be one of {', '.join(choices)}, got {text!r}")
    return choices[key]


def _rate(text: str) -> Rate:
    """'0.0435' is a fraction; '4.35%' is percent (converted here, at the edge)."""
    if text.endswith("%"):
        return Rate.from_percent(_decimal("annual_rate", text[:-1].strip()))
    value = _decimal("annual_rate", text)
    if value >= 1:
        raise ValidationError("annual_rate", "a fraction below 1 (0.0435) or a percent (4.35%)")
    return Rate(value)


def _frequency(text: str) -> RepaymentFrequency:
    key = text.strip().lower()
    if key in _NAMED_FREQUENCIES:
        return _NAMED_FREQUENCIES[key]
    match = re.fullmatch(r"(\d+)([dwm])", key)
    if match is None:
        rule = f"must be one of {', '.join(_NAMED_FREQUENCIES)} or <n>d/<n>w/<n>m, got {text!r}"
        raise ValidationError("frequency", rule)
    return RepaymentFrequency(_UNITS[match.group(2)], int(match.group(1)))


def _principal(text: str, currency: str) -> Money:
    if currency not in MINOR_UNITS:
        raise ValidationError("currency", f"must be one of {', '.join(MINOR_UNITS)}")
    amount = Money(_decimal("principal", text), currency)
    if amount.rounded() != amount:
        raise ValidationError("principal", f"must have at most {MINOR_UNITS[currency]} decimals")
    return amount


def terms_from_options(options: dict[str, str | None]) -> ScheduleTerms:
    """Build `ScheduleTerms` from CLI strings; raises ValidationError(field, rule)."""
    day_counts: dict[str, DayCount | None] = {"periodic": None}
    day_counts.update({d.value.lower(): d for d in DayCount})
    multiple = options.get("installment_multiple")
    first_due = options.get("first_due_date")
    adjustment = _choice(
        "date_adjustment",
        options.get("date_adjustment") or "none",
        {a.value: a for a in DateAdjustment},
    )
    return ScheduleTerms(
        principal=_principal(
            _required("principal", options.get("principal")), options.get("currency") or "CNY"
        ),
        annual_rate=_rate(_required("annual_rate", options.get("annual_rate"))),
        method=_choice(
            "method",
            options.get("method") or "equal_installment",
            {m.value: m for m in AmortizationMethod},
        ),
        term=_integer("term", _required("term", options.get("term"))),
        start_date=_date("start_date", _required("start_date", options.get("start_date"))),
        frequency=_frequency(options.get("frequency") or "monthly"),
        first_due_date=_date("first_due_date", first_due) if first_due else None,
        day_count=_choice("day_count", options.get("day_count") or "periodic", day_counts),
        grace_on_principal=_integer("grace_on_principal", options.get("grace_on_principal") or "0"),
        rounding=_choice(
            "rounding", options.get("rounding") or "half_up", {r.value: r for r in RoundingMode}
        ),
        installment_multiple=_decimal("installment_multiple", multiple) if multiple else None,
        adjust_emi=options.get("adjust_emi") == "true",
        calendar=None if adjustment is DateAdjustment.NONE else china_calendar(),
        date_adjustment=adjustment,
    )


def schedule_to_dict(schedule: RepaymentSchedule) -> dict[str, Any]:
    """The JSON shape of a schedule: amounts as decimal strings, dates as ISO strings."""
    t = schedule.terms
    terms = {
        "principal": str(t.principal.rounded().amount),
        "currency": t.currency,
        "annual_rate": str(t.annual_rate.value),
        "method": t.method.value,
        "term": t.term,
        "start_date": t.start_date.isoformat(),
        "first_due_date": t.first_due_date.isoformat() if t.first_due_date else None,
        "frequency": {"unit": t.frequency.unit.value, "every": t.frequency.every},
        "day_count": t.day_count.value if t.day_count else "periodic",
        "grace_on_principal": t.grace_on_principal,
        "rounding": t.rounding.value,
        "installment_multiple": str(t.installment_multiple) if t.installment_multiple else None,
        "adjust_emi": t.adjust_emi,
        "date_adjustment": t.date_adjustment.value,
    }
    rows = [
        {
            "seq": row.seq,
            "due_date": row.due_date.isoformat(),
            "period_start": row.period_start.isoformat(),
            "period_end": row.period_end.isoformat(),
            "days": (row.period_end - row.period_start).days,
            **{name: str(getattr(row, name).amount) for name in _AMOUNTS},
        }
        for row in schedule.installments
    ]
    level = schedule.level_payment
    totals = {
        "principal": str(schedule.total_principal.amount),
        "interest": str(schedule.total_interest.amount),
        "due": str(schedule.total_due.amount),
    }
    return {
        "terms": terms,
        "level_payment": str(level.amount) if level else None,
        "installments": rows,
        "totals": totals,
    }


def _print_table(document: dict[str, Any]) -> None:
    terms = document["terms"]
    title = (
        f"{terms['method']} · {terms['principal']} {terms['currency']} · {terms['term']} periods"
    )
    table = Table(title=title)
    for name, header in _TABLE.items():
        table.add_column(header, justify="left" if name == "due_date" else "right", no_wrap=True)
    for row in document["installments"]:
        table.add_row(*(str(row[name]) for name in _TABLE))
    totals = document["totals"]
    table.add_row("", "total", "", totals["principal"], totals["interest"], totals["due"], "")
    Console().print(table)


def _print_json(document: dict[str, Any]) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))


def _print_csv(document: dict[str, Any]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=list(_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(document["installments"])


_WRITERS = {"table": _print_table, "json": _print_json, "csv": _print_csv}


def schedule_command(
    principal: str | None = typer.Option(None, help="loan amount, e.g. 100000 or 100000.00"),
    annual_rate: str | None = typer.Option(None, help='fraction "0.0435" or percent "4.35%"'),
    term: str | None = typer.Option(None, help="number of periods"),
    start_date: str | None = typer.Option(None, help="value date YYYY-MM-DD"),
    method: str = typer.Option("equal_installment", help="amortization method"),
    frequency: str = typer.Option(
        "monthly", help="monthly|quarterly|weekly|biweekly|<n>d|<n>w|<n>m"
    ),
    first_due_date: str | None = typer.Option(None, help="first due date YYYY-MM-DD"),
    day_count: str = typer.Option("periodic", help="periodic or ACT_360, ACT_365F, …"),
    grace_on_principal: str = typer.Option("0", help="leading interest-only periods"),
    rounding: str = typer.Option("half_up", help="half_up | half_even"),
    installment_multiple: str | None = typer.Option(None, help="round the level payment to this"),
    adjust_emi: bool = typer.Option(False, help="Fineract-style EMI adjustment"),
    date_adjustment: str = typer.Option("none", help="move due dates off CN holidays"),
    currency: str = typer.Option("CNY", help="ISO 4217 code"),
    output_format: str = typer.Option("table", "--format", help="table | json | csv"),
) -> None:
    """Print the repayment schedule (还款计划) for the given loan terms."""
    writer = _choice("format", output_format, _WRITERS)
    options = {
        "principal": principal,
        "annual_rate": annual_rate,
        "term": term,
        "start_date": start_date,
        "method": method,
        "frequency": frequency,
        "first_due_date": first_due_date,
        "day_count": day_count,
        "grace_on_principal": grace_on_principal,
        "rounding": rounding,
        "installment_multiple": installment_multiple,
        "adjust_emi": "true" if adjust_emi else "false",
        "date_adjustment": date_adjustment,
        "currency": currency,
    }
    terms = terms_from_options(options)
    try:
        schedule = build_schedule(terms)
    except ScheduleDoesNotAmortize as exc:
        raise ValidationError("installment_multiple", str(exc)) from exc
    except CalendarError as exc:
        raise ValidationError("date_adjustment", str(exc)) from exc
    writer(schedule_to_dict(schedule))


def register(app: typer.Typer) -> None:
    """Add `schedule` to the `creditfactory` command."""
    app.command("schedule")(schedule_command)
