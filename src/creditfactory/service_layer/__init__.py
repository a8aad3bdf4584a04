"""service_layer context."""
