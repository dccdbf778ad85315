"""Top-level test setup. nameko >= 2.13's pytest plugin no longer monkey-patches, and the
integration tests run real nameko containers, so eventlet patches the process first."""

import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import pytest  # noqa: E402

from shared.db import cooperate_with_eventlet  # noqa: E402

cooperate_with_eventlet()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test is marked by its folder, so `pytest -m unit` runs the quick ones.
    for item in items:
        for kind in ("unit", "integration", "e2e"):
            if f"/tests/{kind}/" in str(item.fspath):
                item.add_marker(getattr(pytest.mark, kind))
