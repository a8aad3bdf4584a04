"""``creditfactory model``: train, score and monitor credit models.

train   fit a scorecard / raw logistic / LightGBM challenger on a named dataset or CSV
score   score applicants (CSV) with a frozen spec; one JSON object per applicant
monitor PSI of scores and CSI per characteristic between a reference and a current CSV; exit 3
        when any status is "act" (as `stability`)
stability live PSI / CSI of the stored decisions against the development sample
        (adapters/cli/model_stability.py)
approve sign off serving a spec whose report's checks fail (maker-checker: the first officer
        asks with the reason, a different officer running it approves; bound to the sha256)
reject  the checker's refusal of a pending sign-off
Bad input exits 2 with one line naming the option (or column) and the problem: a missing,
unreadable or non-UTF-8 file, an --out directory that cannot be written. `train` shows a spinner
with the elapsed time on stderr while it fits (stdout stays the result, e.g. pure JSON).
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from creditfactory.adapters.cli.model_stability import EXIT_ACT, stability_command
from creditfactory.adapters.cli.officer_auth import Officer, PasswordStdin, acting
from creditfactory.kernel.errors import ValidationError
from creditfactory.scoring.errors import ScoringError
from creditfactory.scoring.runtime import score
from creditfactory.scoring.spec import ScorecardSpec, load_spec
from creditfactory.scoring.stability import (
    PSI_ACT,
    PSI_WATCH,
    StabilityStatus,
    csi_by_feature,
    psi_report_by_splits,
    quantile_splits,
)

WHITELIST_MIN_JUSTIFICATION = 20
model_app = typer.Typer(
    help="Credit models: train, score, monitor, stability.", no_args_is_help=True
)
model_app.command("stability")(stability_command)


def register(app: typer.Typer) -> None:
    """Add the ``model`` command group."""
    app.add_typer(model_app, name="model")


def _emit(data: Any, fmt: str) -> None:
    # text and json print the same indented JSON: the result is a nested report
    typer.echo(json.dumps(data, ensure_ascii=False, indent=1, default=float))


def _format(fmt: str) -> str:
    chosen = fmt.strip().lower()
    if chosen not in ("text", "json"):
        raise ValidationError("format", f"must be text or json, got {fmt!r}")
    return chosen


def _writable_dir(out: Path) -> None:
    """Create `out` and prove a file can be written there, before minutes of training."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=out, prefix=".write-probe-")
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise ValidationError("out", f"cannot write to {out}: {exc.strerror or exc}") from None


def _with_progress() -> Progress:
    """A transient spinner with elapsed time on stderr (stdout keeps the result)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


@model_app.command("train")
def train_command(
    dataset: str = typer.Option(
        ..., help="sba-case, german, cumcm-2020c, taiwan, lending-club or a CSV path"
    ),
    method: str = typer.Option("scorecard", help="scorecard | logistic | lightgbm"),
    features: str | None = typer.Option(None, help="comma-separated feature columns"),
    no_binning: bool = typer.Option(False, "--no-binning", help="raw logistic (no WOE bins)"),
    binning_method: str = typer.Option(
        "optbinning", help="optbinning | dt (toad decision tree) | chi (toad ChiMerge)"
    ),
    split_column: str | None = typer.Option(None, help="fit on ==1, validate on ==0"),
    target: str | None = typer.Option(None, help="target column of a CSV dataset"),
    out: Path | None = typer.Option(None, help="directory for spec, report, workbook"),
    fmt: str = typer.Option("text", "--format", help="text | json"),
    no_leakage_gate: bool = typer.Option(
        False, "--no-leakage-gate", help="skip the leakage gate (reproducing a published model)"
    ),
    whitelist: list[str] = typer.Option(
        [],
        help="FIELD=justification: keep FIELD despite the IV / AUC / shape / pure-value / proxy "
        "rules and a detected derivation (never a declaration); the written "
        "justification (≥ 20 characters) is stored in the spec. Repeatable.",
    ),
) -> None:
    """Train and validate a model; with --out write spec.json, report.html, scorecard.xlsx.

    The leakage gate is on by default: the JSON lists every excluded field with its reason."""
    from creditfactory.scoring.training.pipeline import train

    fmt = _format(fmt)
    method, binning_method = method.strip().lower(), binning_method.strip().lower()
    if out is not None:
        _writable_dir(out)
    chosen = [f.strip() for f in features.split(",") if f.strip()] if features else None
    allowed = _whitelist(whitelist)
    label = f"training {method} on {dataset} (fit, cross-validation, reports)…"
    with _with_progress() as progress:
        progress.add_task(label, total=None)
        try:
            trained = train(
                dataset,
                method,
                chosen,
                not no_binning,
                split_column,
                target,
                out,
                binning_method=binning_method,
                leakage_gate=not no_leakage_gate,
                whitelist=allowed,
            )
        except OSError as exc:  # writing the outputs after the probe succeeded (disk full, …)
            raise ValidationError("out", f"cannot write to {out}: {exc.strerror or exc}") from None
    _emit(trained.result, fmt)


def _whitelist(entries: list[str]) -> dict[str, str]:
    """``FIELD=justification`` options → {field: justification}; a short reason is refused."""
    out: dict[str, str] = {}
    for entry in entries:
        name, _, why = entry.partition("=")
        if not name.strip() or len(why.strip()) < WHITELIST_MIN_JUSTIFICATION:
            raise ValidationError(
                "whitelist",
                f"{entry!r}: give FIELD=justification with a written reason "
                f"(at least {WHITELIST_MIN_JUSTIFICATION} characters)",
            )
        out[name.strip()] = why.strip()
    return out


def _read_csv(path: Path, option: str) -> list[dict[str, str]]:
    if not path.is_file():
        raise ValidationError(option, f"file not found: {path}")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except UnicodeDecodeError:
        raise ValidationError(option, f"{path} is not UTF-8 text") from None
    except (OSError, csv.Error) as exc:
        raise ValidationError(option, f"cannot read {path}: {exc}") from None
    if not rows:
        raise ValidationError(option, f"empty file (no rows): {path}")
    return rows


def _spec(path: Path) -> ScorecardSpec:
    if not path.is_file():
        raise ValidationError("spec", f"spec file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValidationError("spec", f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise ValidationError("spec", f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return load_spec(text)
    except (ValueError, KeyError, TypeError) as exc:  # JSON or shape errors
        raise ValidationError("spec", f"{path} is not a spec.json: {exc}") from None


def _check_input(spec: ScorecardSpec, rows: list[dict[str, str]], path: Path) -> None:
    for name in spec.features:
        if name not in rows[0]:
            raise ValidationError(name, f"column missing from {path.name}")


def _score_rows(spec: ScorecardSpec, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    out = []
    for i, row in enumerate(rows, start=1):
        try:
            out.append(score(spec, row).to_dict())
        except ScoringError as exc:
            raise ValidationError(
                str(exc).split(":")[0], f"row {i}: {str(exc).split(': ', 1)[-1]}"
            ) from exc
    return out


@model_app.command("score")
def score_command(
    spec_path: Path = typer.Option(..., "--spec", help="spec.json from model train"),
    input_path: Path = typer.Option(..., "--input", help="CSV of applicants (feature columns)"),
    fmt: str = typer.Option("text", "--format", help="text | json"),
) -> None:
    """Score every applicant: score, pd, grade, reasons (zh/en)."""
    fmt = _format(fmt)
    spec = _spec(spec_path)
    rows = _read_csv(input_path, "input")
    _check_input(spec, rows, input_path)
    results = _score_rows(spec, rows)
    if fmt == "json":
        for r in results:
            typer.echo(json.dumps(r, ensure_ascii=False))
    else:
        for r in results:
            reasons = "; ".join(x["en"] for x in r["reasons"])
            typer.echo(f"{r['score']:.1f}\t{r['pd']:.4f}\t{r['grade']}\t{reasons}")


@model_app.command("monitor")
def monitor_command(
    spec_path: Path = typer.Option(..., "--spec"),
    reference: Path = typer.Option(..., help="reference population CSV"),
    current: Path = typer.Option(..., help="current population CSV"),
    fmt: str = typer.Option("text", "--format", help="text | json"),
) -> None:
    """PSI of the score (reference deciles) and CSI per characteristic, with their status;
    exit 3 when any status is "act"."""
    fmt = _format(fmt)
    spec = _spec(spec_path)
    ref_rows, cur_rows = _read_csv(reference, "reference"), _read_csv(current, "current")
    _check_input(spec, ref_rows, reference)
    _check_input(spec, cur_rows, current)
    ref_scores = [r["score"] for r in _score_rows(spec, ref_rows)]
    cur_scores = [r["score"] for r in _score_rows(spec, cur_rows)]
    report = psi_report_by_splits(ref_scores, cur_scores, quantile_splits(ref_scores))
    csi = csi_by_feature(spec, ref_rows, cur_rows)
    data = {
        "psi": report.value,
        "status": str(report.status),
        "bins": [
            {"bin": lab, "reference": e, "current": a}
            for lab, e, a in zip(
                report.labels, report.expected_shares, report.actual_shares, strict=True
            )
        ],
        "csi": {f: {"csi": c.value, "status": str(c.status)} for f, c in csi.items()},
        "thresholds": {"stable_below": PSI_WATCH, "act_above": PSI_ACT},
    }
    _emit(data, fmt)
    if StabilityStatus.ACT in (report.status, *(c.status for c in csi.values())):
        raise typer.Exit(EXIT_ACT)


def _sign_off(spec_path: Path, officer: str | None, password_stdin: bool, note: str,
              approved: bool) -> None:  # fmt: skip
    from creditfactory.access import DEFAULT_ACCESS
    from creditfactory.adapters.storage.origination_store import FactoryUnitOfWork
    from creditfactory.bootstrap import bootstrap
    from creditfactory.scoring.spec import dump_spec
    from creditfactory.service_layer.factory_ports import OfficeDeps
    from creditfactory.service_layer.model_approval import sign_off

    text = dump_spec(_spec(spec_path))  # canonical: the sha256 is the content's
    app = bootstrap()
    deps = OfficeDeps(uow=lambda: FactoryUnitOfWork(app.engine, app.clock), clock=app.clock,
                      ids=app.ids)  # fmt: skip
    who, role = acting(app, officer, password_stdin)
    item = sign_off(deps, DEFAULT_ACCESS, text, who, role, note, approved)
    checks = "; ".join(item["failed_checks"]) or "none (every check passed)"
    sha = item["subject"].partition(":")[2]
    lines = {
        "requested": f"asked by {who}: a different officer runs `creditfactory model approve "
        f"--spec {spec_path}` to approve",
        "approved": f"approved by {who} (maker {item['maker']}): `creditfactory serve` may serve "
        "it; every decision names this approval",
        "rejected": f"rejected by {who}: not served",
        "already approved": f"already approved by {item['checker']} (maker {item['maker']})",
    }
    typer.echo(f"spec {spec_path} sha256 {sha} — failed checks: {checks}")
    typer.echo(f"approval {item['approval_id']} {item['step']}: {lines[item['step']]}")


@model_app.command("approve")
def approve_command(
    spec_path: Path = typer.Option(..., "--spec", help="spec.json to sign off for serving"),
    officer: Officer = None,
    password_stdin: PasswordStdin = False,
    note: str = typer.Option("", help="why serve it although checks fail (maker, ≥ 20 chars)"),
) -> None:
    """Sign off serving a spec (maker-checker on its sha256): the first officer asks with the
    reason, a different officer running the same command approves."""
    _sign_off(spec_path, officer, password_stdin, note, True)


@model_app.command("reject")
def reject_command(
    spec_path: Path = typer.Option(..., "--spec", help="spec.json whose sign-off is pending"),
    officer: Officer = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Checker: refuse a pending sign-off of serving a spec (never its maker)."""
    _sign_off(spec_path, officer, password_stdin, "", False)
