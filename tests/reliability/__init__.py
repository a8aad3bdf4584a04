"""Reliability suite of issue 13 (tests/reliability): small in CI, full with RELIABILITY_FULL=1."""
