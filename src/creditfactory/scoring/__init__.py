"""scoring context: invoice features, frozen scorecard specs, the runtime scorer, stability.

Runtime (decision path, pure Python): `features.build_invoice_features`, `spec.load_spec`,
`runtime.score`, `stability.psi` / `csi`, `masterscale.MasterScale`. Offline training
(pandas / scikit-learn / optbinning / LightGBM) lives in `scoring.training` and is never imported
from the decision path.
"""

from creditfactory.scoring.features import Invoice, build_invoice_features
from creditfactory.scoring.runtime import ReasonCode, ScoreResult, score
from creditfactory.scoring.spec import ScorecardSpec, dump_spec, load_spec

__all__ = [
    "Invoice",
    "ReasonCode",
    "ScoreResult",
    "ScorecardSpec",
    "build_invoice_features",
    "dump_spec",
    "load_spec",
    "score",
]
