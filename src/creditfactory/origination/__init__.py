"""origination context."""
