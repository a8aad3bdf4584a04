"""ledger context."""
