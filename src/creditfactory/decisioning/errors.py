"""Errors of the decisioning context.

DomainError
└── DecisioningError
    ├── PolicyInvalid          a decision table or policy document breaks its schema
    └── UnknownFact            a rule names a fact the inputs do not define
"""

from __future__ import annotations

from creditfactory.kernel.errors import DomainError

__all__ = ["DecisioningError", "PolicyInvalid", "UnknownFact"]


class DecisioningError(DomainError):
    """Root of the decisioning errors."""


class PolicyInvalid(DecisioningError):
    """The policy document is malformed; the message names the path and the rule."""


class UnknownFact(DecisioningError):
    """A rule refers to a fact name that `DecisionFacts` does not carry."""
