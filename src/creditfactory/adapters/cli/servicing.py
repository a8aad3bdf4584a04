"""Servicing commands: a walk-through on the embedded database, end-of-day for the book (with the
nightly model-stability check), the trial balance, and the loan ↔ ledger reconciliation.

`trial-balance` and `reconcile` only read: the database must exist (else exit 2, nothing
created). `reconcile` exits 1 when a loan and its sub-ledger disagree, naming loan and account.

`creditfactory servicing walkthrough` books two real loans at 1-year LPR + 100 bp, runs 13 months
of end-of-day through the database, and prints the schedule, the grade history and the trial
balance — every figure computed by the engine, nothing canned.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from creditfactory.adapters.cli.model_stability import nightly_stability, stability_line
from creditfactory.adapters.storage.unit_of_work import SqlUnitOfWork
from creditfactory.bootstrap import App, bootstrap
from creditfactory.kernel.clock import FixedClock, not_after_today
from creditfactory.kernel.errors import ValidationError
from creditfactory.kernel.money import Money
from creditfactory.ledger.accounts import CHART_V1
from creditfactory.pricing.lpr import LPRTenor, contract_rate
from creditfactory.service_layer.reconcile_flow import reconcile_book
from creditfactory.servicing import services
from creditfactory.servicing.loan import Loan
from creditfactory.servicing.prepayment import amount_due

servicing_app = typer.Typer(
    help="Loan servicing: walk-through, end-of-day, trial balance.", no_args_is_help=True
)
console = Console()

START = date(2024, 1, 31)


def _parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(field, f"must be an ISO date YYYY-MM-DD, got {value!r}") from exc


def _schedule_table(loan: Loan) -> Table:
    table = Table(
        title=f"{loan.loan_id}: repayment schedule 还款计划 (等额本息, {loan.annual_rate})"
    )
    for column in ("#", "due date", "principal", "interest", "installment"):
        table.add_column(column, justify="right")
    for row in loan.installments:
        table.add_row(
            str(row.seq),
            row.due_date.isoformat(),
            f"{row.principal_due:,.2f}",
            f"{row.interest_due:,.2f}",
            f"{row.principal_due + row.interest_due:,.2f}",
        )
    return table


def _trial_balance(app: App) -> Table:
    with app.uow() as uow:
        balances = uow.journal.trial_balance()
    table = Table(title="Trial balance 试算平衡 (debit +, credit −)")
    table.add_column("account")
    table.add_column("name")
    table.add_column("balance (CNY)", justify="right")
    for code in sorted(balances):
        account = CHART_V1.get(code)
        table.add_row(code, f"{account.name_zh} {account.name}", f"{balances[code].amount:,.2f}")
    total = sum((m.amount for m in balances.values()), Decimal(0))
    table.add_row("", "total 合计", f"{total:,.2f}", style="bold")
    return table


def _pay(
    app: App, clock: FixedClock, loan: Loan, day: date, late: dict[int, int], stop_after: int
) -> None:
    for row in loan.installments:
        pay_day = row.due_date + timedelta(days=late.get(row.seq, 0))
        if pay_day == day and row.seq < stop_after:
            with app.uow() as uow:
                owed = amount_due(uow.loans.get(loan.loan_id), day)
            key = f"walk-{loan.loan_id}-{row.seq}"
            services.post_repayment(app.uow(), clock, loan.loan_id, owed, day, key)


@servicing_app.command("walkthrough")
def walkthrough(
    months: Annotated[int, typer.Option(help="months of end-of-day to run")] = 13,
) -> None:
    """Book two loans, run end-of-day for `months` months, print schedule, grades and books."""
    if months < 1:
        raise ValidationError("months", "must be at least 1")
    app = bootstrap()
    clock = FixedClock(START)
    rate = contract_rate(100, LPRTenor.ONE_YEAR, START)
    tag = app.ids.new("walk")[:13]
    plans = {  # loan → (days late per installment, installments paid before stopping)
        f"{tag}_a": ({3: 20}, 13),
        f"{tag}_b": ({}, 8),
    }
    loans = [
        services.book_loan(
            app.uow(),
            services.BookLoan(
                loan_id,
                f"borrower_{loan_id}",
                "sme-term@2024.1",
                "100000",
                str(rate.value),
                12,
                START,
            ),
        )
        for loan_id in plans
    ]
    for loan in loans:
        services.disburse_loan(app.uow(), clock, loan.loan_id, START)
    console.print(_schedule_table(loans[0]))
    history: dict[str, list[tuple[date, int, str]]] = {loan.loan_id: [] for loan in loans}
    end = START + timedelta(days=int(months * 30.44))
    day = START
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("end-of-day", total=(end - START).days + 1)
        while day <= end:
            for loan in loans:
                _pay(app, clock, loan, day, *plans[loan.loan_id])
            services.end_of_day(app.uow(), clock, day)
            with app.uow() as uow:
                for current in uow.loans.get_many(list(plans)):
                    past = history[current.loan_id]
                    if not past or past[-1][2] != current.grade.value:
                        past.append((day, current.dpd, current.grade.value))
            day += timedelta(days=1)
            clock.advance(timedelta(days=1))  # repayments are dated the business date
            progress.advance(task)
    grades = Table(title="Grade history 五级分类 (date, DPD, grade)")
    grades.add_column("loan")
    grades.add_column("path")
    for loan_id, path in history.items():
        grades.add_row(loan_id, " → ".join(f"{d} DPD {dpd} {g}" for d, dpd, g in path))
    console.print(grades)
    console.print(_trial_balance(app))


@servicing_app.command("eod")
def eod(
    business_date: Annotated[str, typer.Option("--business-date", help="YYYY-MM-DD")],
) -> None:
    """Close a business date for every active loan in the database (idempotent, resumable),
    then check live model stability for the date (`model stability`; its alert is raised once
    per date and spec) and report its status."""
    d = _parse_date(business_date, "business_date")
    app = bootstrap()
    not_after_today(d, app.clock)  # a closed day cannot be reopened
    result = services.end_of_day(app.uow(), app.clock, d)
    console.print(
        f"closed {result.loans_closed} loans for {d}, {result.entries_posted} journal entries"
    )
    console.print(stability_line(nightly_stability(app, d)), soft_wrap=True)


@servicing_app.command("trial-balance")
def trial_balance(
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Print the trial balance of the database's general ledger (signed: debit +, credit −)."""
    if fmt not in ("table", "json"):
        raise ValidationError("format", f"must be table or json, got {fmt!r}")
    app = bootstrap(existing=True)
    if fmt == "table":
        console.print(_trial_balance(app))
        return
    with app.uow() as uow:
        balances = uow.journal.trial_balance()
    accounts = {code: format(balances[code].amount, "f") for code in sorted(balances)}
    total = sum((m.amount for m in balances.values()), Decimal(0))
    typer.echo(json.dumps({"accounts": accounts, "total": format(total, "f")}, indent=2))


def _amount(money: Money | None) -> str | None:
    return None if money is None else format(money.amount, "f")


@servicing_app.command("reconcile")
def reconcile(
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Compare every loan's balances with its sub-ledger in the journal (对账); exit 1 on a
    break (loan, account, loan figure, ledger figure)."""
    if fmt not in ("text", "json"):
        raise ValidationError("format", f"must be text or json, got {fmt!r}")
    app = bootstrap(existing=True)
    result = reconcile_book(SqlUnitOfWork(app.engine, app.clock, writer=False))
    breaks = [
        {"loan_id": b.loan_id, "account": b.account, "loan": _amount(b.loan),
         "ledger": _amount(b.ledger)}
        for b in result.breaks
    ]  # fmt: skip
    if fmt == "json":
        typer.echo(json.dumps({"ok": result.ok, "loans": result.loans, "breaks": breaks}, indent=2))
    elif result.ok:
        typer.echo(f"ok: {result.loans} loans agree with the ledger")
    else:
        typer.echo(f"BREAKS: {len(breaks)} in {result.loans} loans")
        for b in breaks:
            typer.echo(f"  {b['loan_id']} account {b['account']}: loan {b['loan']}, "
                       f"ledger {b['ledger']}")  # fmt: skip
    if not result.ok:
        raise SystemExit(1)  # not typer.Exit: main runs click with standalone_mode=False


def register(app: typer.Typer) -> None:
    """Add `creditfactory servicing …`."""
    app.add_typer(servicing_app, name="servicing")
