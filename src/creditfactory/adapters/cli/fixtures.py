"""`creditfactory fixtures cn-records`: regenerate the synthetic registry, court and tax records
of data/fixtures/cn_records from a seed (adapters.gateways.cn_fixtures; SOURCE.md there).
`creditfactory fixtures sba-records`: regenerate data/fixtures/sba_records/registry.json, the
held-out SBA applicants' approval-time record (adapters.gateways.sba_fixtures; SOURCE.md there)."""

from __future__ import annotations

from pathlib import Path

import typer

from creditfactory.adapters.gateways.cn_fixtures import DEFAULT_SEED, write_fixtures
from creditfactory.adapters.gateways.sba_fixtures import write_sba_records
from creditfactory.config import CN_RECORDS, REPO, Settings
from creditfactory.kernel.errors import ValidationError

fixtures_app = typer.Typer(help="Synthetic fixture data for the served demo.", no_args_is_help=True)


@fixtures_app.command("cn-records")
def cn_records(
    invoices: Path | None = typer.Option(
        None, help="CUMCM 2020 C directory (default <CREDITFACTORY_SHARED_DATA>/cumcm2020c_…)"
    ),
    seed: int = typer.Option(DEFAULT_SEED, help="random seed: the same seed, the same files"),
    out: Path = typer.Option(CN_RECORDS, help="output directory"),
) -> None:
    """Write firms.csv, registry.json, courts.json and tax.json for the 302 unrated firms."""
    directory = invoices or Settings().shared_data / "cumcm2020c_sme_invoices"
    if not (directory / "enterprises_without_credit_record.csv").exists():
        raise ValidationError("invoices", f"{directory} is not the CUMCM 2020 C directory")
    count = write_fixtures(out, directory, seed)
    typer.echo(f"{count} firms written to {out} (seed {seed})")


@fixtures_app.command("sba-records")
def sba_records(
    out: Path = typer.Option(REPO / "data" / "fixtures" / "sba_records", help="output directory"),
) -> None:
    """Write registry.json: the held-out SBA loans' approval-time applicant facts."""
    typer.echo(f"{write_sba_records(out)} SBA records written to {out}")


def register(app: typer.Typer) -> None:
    """Add `fixtures`."""
    app.add_typer(fixtures_app, name="fixtures")
