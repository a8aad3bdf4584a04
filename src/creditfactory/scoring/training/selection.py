"""Feature selection for WOE scorecards: IV floor, pairwise correlation, VIF.

Order: keep features with ``iv ≥ min_iv`` ranked by IV; walk down the ranking and drop a feature
whose WOE correlates above `max_corr` (absolute Pearson) with one already kept; then drop the
highest-VIF feature while any VIF exceeds `max_vif` (statsmodels).
"""

from __future__ import annotations

import numpy
import pandas
from statsmodels.stats.outliers_influence import variance_inflation_factor

from creditfactory.scoring.training.wording import Reason


def select_features(
    woe_frame: pandas.DataFrame,
    iv: dict[str, float],
    min_iv: float = 0.02,
    max_corr: float = 0.7,
    max_vif: float = 5.0,
    max_features: int | None = None,
) -> tuple[list[str], dict[str, Reason]]:
    """Selected features (IV order) and, for each dropped one, the reason (zh and en)."""
    dropped: dict[str, Reason] = {}
    ranked = sorted(iv, key=lambda f: -iv[f])
    kept: list[str] = []
    corr = woe_frame.corr().abs().fillna(0.0)
    for f in ranked:
        if iv[f] < min_iv:
            dropped[f] = Reason("low_iv", {"iv": iv[f], "limit": min_iv})
        elif woe_frame[f].nunique() < 2:
            dropped[f] = Reason("single_bin")
        elif any(corr.loc[f, k] > max_corr for k in kept):
            partner = max(kept, key=lambda k: corr.loc[f, k])
            dropped[f] = Reason(
                "correlated",
                {"corr": float(corr.loc[f, partner]), "partner": partner, "limit": max_corr},
            )
        elif max_features is not None and len(kept) >= max_features:
            dropped[f] = Reason("max_features", {"limit": max_features})
        else:
            kept.append(f)
    while len(kept) > 2:
        vif = vif_table(woe_frame[kept])
        worst = max(vif, key=lambda f: vif[f])
        if vif[worst] <= max_vif:
            break
        kept.remove(worst)
        dropped[worst] = Reason("vif", {"vif": vif[worst], "limit": max_vif})
    return kept, dropped


def vif_table(frame: pandas.DataFrame) -> dict[str, float]:
    """Variance inflation factor of each column (with a constant in the design)."""
    design = numpy.column_stack([numpy.ones(len(frame)), frame.to_numpy(dtype=float)])
    return {c: float(variance_inflation_factor(design, i + 1)) for i, c in enumerate(frame.columns)}
