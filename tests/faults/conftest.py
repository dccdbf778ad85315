import pytest

from tests.front_door import front_door
from tests.integration.conftest import broker, database_url, store  # noqa: F401  (fixtures)


@pytest.fixture(scope="session")
def base_url() -> str:
    """The front door of the stack `make up` started."""
    return front_door()
