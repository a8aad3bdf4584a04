"""adapters/gateways context."""
