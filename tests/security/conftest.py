"""The attacks of tests/security run against the stack `make up` started, through its front
door, as a stranger on the network would send them. Each client may speak from a loopback
address of its own: to the front door it is another machine."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from tests.front_door import front_door
from tests.security.clients import Browser

# A block of loopback addresses of this run's own (the whole of 127/8 is loopback): failures
# counted against an address by an earlier run (15 minutes) never meet this one.
_block = f"127.{random.randint(1, 254)}.{random.randint(0, 254)}"
_next_address = iter(range(1, 255))


@pytest.fixture(scope="session")
def base_url() -> str:
    return front_door()


@pytest.fixture
def stranger(base_url: str) -> Iterator[Browser]:
    """A client at a loopback address no other test uses in this run."""
    yield Browser(base_url, f"{_block}.{next(_next_address)}")


@pytest.fixture
def strangers(base_url: str) -> Iterator[Any]:
    """As many strangers as a test wants, each at its own address."""
    yield lambda: Browser(base_url, f"{_block}.{next(_next_address)}")
