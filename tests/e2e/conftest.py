import os

import pytest
import requests


@pytest.fixture(scope="session")
def base_url() -> str:
    """The front door of the stack `make up` started."""
    url = f"http://127.0.0.1:{os.environ.get('KECHUANG_PORT', '8080')}"
    try:
        requests.get(f"{url}/healthz/intake", timeout=5)
    except requests.ConnectionError:
        pytest.fail(f"nothing answers at {url}: run `make up` first (make test does)")
    return url
