"""Adapters: the outside world (CLI, HTTP API, storage, batch, gateways). They depend on the
domain; the domain never imports them."""
