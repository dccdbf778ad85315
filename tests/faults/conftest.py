import pytest

from tests.front_door import front_door


@pytest.fixture(scope="session")
def base_url() -> str:
    """The front door of the stack `make up` started."""
    return front_door()
