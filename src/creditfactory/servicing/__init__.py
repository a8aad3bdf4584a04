"""servicing context."""
