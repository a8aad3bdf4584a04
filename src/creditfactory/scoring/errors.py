"""Errors raised by the scoring context.

```
DomainError
└── ScoringError
    ├── ModelSpecMismatch      a spec's digest, schema or shape does not hold together
    ├── UnknownFeature         a feature the spec does not know was asked for or given
    ├── FeatureValueInvalid    a value cannot be read as the feature's kind (e.g. text for numeric)
    └── NotFitted              a training estimator was used before `fit`
```
The CLI maps every one of these to exit code 2 with one line naming the field and the rule.
"""

from __future__ import annotations

from creditfactory.kernel.errors import DomainError


class ScoringError(DomainError):
    """Root of the scoring context's errors."""


class ModelSpecMismatch(ScoringError):
    """The spec text does not match its digest, schema version or expected shape."""


class UnknownFeature(ScoringError):
    """A feature name is not part of the spec."""

    def __init__(self, feature: str) -> None:
        self.feature = feature
        super().__init__(f"{feature}: unknown feature")


class FeatureValueInvalid(ScoringError):
    """A feature value cannot be used (e.g. non-numeric text for a numeric feature)."""

    def __init__(self, feature: str, rule: str) -> None:
        self.feature = feature
        self.rule = rule
        super().__init__(f"{feature}: {rule}")


class NotFitted(ScoringError):
    """A training estimator was asked for results before `fit` ran."""
