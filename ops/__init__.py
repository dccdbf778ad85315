"""The operator's tools, above the services: the `kechuang` CLI, the demo it loads, an API
client. Nothing under `shared/` or `services/` imports this package."""
