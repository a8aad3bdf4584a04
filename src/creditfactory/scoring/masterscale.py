"""Rating master scale: grades with 12-month PD ranges.

A `MasterScale` is an ordered tuple of `Grade(code, pd_lower, pd_upper)`, each range half-open
``[pd_lower, pd_upper)``, contiguous from 0 to 1 (the last grade includes 1). The default scale
doubles the PD band per grade, the usual shape of bank master scales (each grade ≈ 0.7 log-odds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from creditfactory.scoring.errors import ModelSpecMismatch


@dataclass(frozen=True, slots=True)
class Grade:
    """One master-scale grade: PD in ``[pd_lower, pd_upper)``, fractions in [0, 1]."""

    code: str
    pd_lower: float
    pd_upper: float


@dataclass(frozen=True, slots=True)
class MasterScale:
    """Contiguous grades from PD 0 to 1, best first.

    Raises:
        ModelSpecMismatch: when the grades leave a gap, overlap or do not span [0, 1].
    """

    grades: tuple[Grade, ...]

    def __post_init__(self) -> None:
        if not self.grades or self.grades[0].pd_lower != 0.0 or self.grades[-1].pd_upper != 1.0:
            raise ModelSpecMismatch("master_scale: grades must span PD 0 to 1")
        for before, after in zip(self.grades, self.grades[1:], strict=False):
            if before.pd_upper != after.pd_lower or before.pd_lower >= before.pd_upper:
                raise ModelSpecMismatch(f"master_scale: grade {after.code} is not contiguous")

    def grade_for(self, pd_12m: float) -> Grade:
        """The grade whose range holds `pd_12m` (a fraction in [0, 1])."""
        for grade in self.grades:
            if pd_12m < grade.pd_upper:
                return grade
        return self.grades[-1]

    def to_dict(self) -> list[dict[str, Any]]:
        """JSON-ready list of grades."""
        return [
            {"grade": g.code, "pd_lower": g.pd_lower, "pd_upper": g.pd_upper} for g in self.grades
        ]

    @classmethod
    def from_dict(cls, rows: Sequence[Mapping[str, Any]]) -> MasterScale:
        """Inverse of `to_dict`."""
        return cls(
            tuple(Grade(str(r["grade"]), float(r["pd_lower"]), float(r["pd_upper"])) for r in rows)
        )


_BOUNDS = (0.0, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 1.0)

DEFAULT_MASTER_SCALE = MasterScale(
    tuple(
        Grade(f"R{i + 1}", lo, hi)
        for i, (lo, hi) in enumerate(zip(_BOUNDS, _BOUNDS[1:], strict=False))
    )
)
"""R1 [0, 0.25 %) … R9 [32 %, 100 %]: PD band doubles per grade."""
