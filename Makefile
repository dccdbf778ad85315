# Kechuang: one command for each thing a developer or operator does.
.PHONY: up down restart test lint bench install infra demo

install:
	@deploy/local/install.sh

infra: install
	@deploy/local/infra-up.sh

up: infra
	@deploy/local/services-up.sh

down:
	@deploy/local/down.sh

# Restart the services (after a code change), leaving RabbitMQ, PostgreSQL and MinIO up (infra
# is idempotent: it only adds what a change needs, such as a new service's database role).
restart: infra
	@deploy/local/down.sh --services-only
	@deploy/local/services-up.sh

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

# The whole suite: lint, unit, integration (real RabbitMQ, PostgreSQL, MinIO), end to end
# (the running stack through the front door). It starts what it needs; deploy/local/test.sh
# says how the parts run side by side. One file alone: deploy/local/with-env.sh .venv/bin/pytest FILE
test: up lint
	deploy/local/test.sh

# A realistic call's worth of entries in every state (`kechuang demo`), then the console's URL.
demo: up
	@deploy/local/with-env.sh .venv/bin/kechuang demo

bench: up
	deploy/local/with-env.sh .venv/bin/python -m bench.event_store
	deploy/local/with-env.sh .venv/bin/python -m bench.intake
	deploy/local/with-env.sh .venv/bin/python -m bench.media
	deploy/local/with-env.sh .venv/bin/python -m bench.reporting --events 300000 --rpc
	deploy/local/with-env.sh .venv/bin/python -m bench.freshness
	deploy/local/with-env.sh .venv/bin/python -m bench.package
	deploy/local/with-env.sh .venv/bin/python -m bench.matching --stack
