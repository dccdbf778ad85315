"""What the front door serves (issue #24, item 8; OWASP ASVS V14.4): security headers on the
console and the API, and the console's own files only."""

from __future__ import annotations

import pytest
import requests


@pytest.mark.parametrize("path", ["/", "/js/main.js", "/api/v1/openapi.json",
                                  "/api/v1/no-such-route", "/healthz/intake"])  # fmt: skip
def test_every_answer_carries_the_security_headers(base_url: str, path: str) -> None:
    """Defends against: the console framed by another site (clickjacking), a script injected
    from elsewhere, a stored file sniffed as HTML, the console's URLs leaking in Referer."""
    answer = requests.get(f"{base_url}{path}", timeout=10)
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in answer.headers  # plain http here: HSTS with TLS


@pytest.mark.parametrize("path", ["/package.json", "/package-lock.json", "/node_modules/",
                                  "/node_modules/chart.js/package.json", "/vendor.sh",
                                  "/.gitignore", "/vendor/chart.js/package.json"])  # fmt: skip
def test_the_web_root_serves_only_the_console_s_own_files(base_url: str, path: str) -> None:
    """Defends against: the npm side of the console's folder (package*.json, the whole
    node_modules tree with its versions) being read by anyone."""
    answer = requests.get(f"{base_url}{path}", timeout=10)
    assert answer.status_code == 404, (path, answer.status_code, answer.text[:200])


def test_the_console_s_libraries_are_served_from_vendor(base_url: str) -> None:
    for path in (
        "/vendor/chart.js/dist/chart.umd.min.js",
        "/vendor/hash-wasm/dist/index.esm.min.js",
    ):
        answer = requests.get(f"{base_url}{path}", timeout=10)
        assert answer.status_code == 200 and "javascript" in answer.headers["Content-Type"]
