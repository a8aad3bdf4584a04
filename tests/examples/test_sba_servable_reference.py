"""The served SBA spec's development references are what the served path can produce (issue #12,
closing5 item 4): scoring the held-out loans the platform would serve — the validation half
(Selected == 0) without 504 loans and revolving lines, declared as an applicant declares them
(`datasets.sba_declared`) — through the live stability path (`stability_against_development`,
the categories `origination.served_values.never_served` leaves out) reads no "act" on day one.

The earlier spec recorded its score deciles over development rows holding revolving lines (scored
RevLineCr Y, +11 points), which no served applicant can be: its score PSI against the held-out
term loans read "act"."""

from __future__ import annotations

from pathlib import Path

import pandas
from tests.shared import shared_path

from creditfactory.origination.served_values import never_served
from creditfactory.scoring.runtime import score
from creditfactory.scoring.spec import load_spec
from creditfactory.scoring.stability import StabilityStatus, stability_against_development
from creditfactory.scoring.training.datasets import sba_504, sba_declared, sba_revolving

FIXTURE = Path(__file__).resolve().parents[1] / "e2e" / "sba_spec.json"


def test_held_out_servable_rows_do_not_read_act_against_the_served_spec() -> None:
    spec = load_spec(FIXTURE.read_text(encoding="utf-8"))
    raw = pandas.read_csv(shared_path("data", "sba_loans_case") / "SBAcase.11.13.17.csv", dtype=str)
    held_out = raw[raw["Selected"] == "0"].reset_index(drop=True)
    servable = held_out[~(sba_504(held_out) | sba_revolving(held_out))]
    assert len(servable) == 558  # 931 held-out loans of the 504-free file less 373 revolving lines
    rows = sba_declared(servable, spec)
    scores = [score(spec, r).score for r in rows]
    found = stability_against_development(spec, scores, rows, left_out=never_served(spec))
    assert found.decisions == 558
    readings = {found.score.name: found.score.status}
    readings.update({c.name: c.status for c in found.characteristics})
    assert StabilityStatus.ACT not in readings.values(), readings
    assert found.score.status is not StabilityStatus.NO_REFERENCE
