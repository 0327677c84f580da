"""The /v1 REST API: thin handlers that parse input, call one domain service and render."""
