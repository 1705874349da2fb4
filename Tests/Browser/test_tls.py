"""The web panel over HTTPS (`--tls-cert`/`--tls-key`) in headless Chromium: it loads, reads the API
and follows the live event stream. The chain itself is verified by the Swift end-to-end tests (curl
and AsyncHTTPClient against the test CA); Chromium is told to accept the throwaway certificate.
Run:  python3 -m pytest -q Tests/Browser/test_tls.py
"""

from __future__ import annotations

import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_upstream import FakeUpstream  # noqa: E402
from harness import Llmtrace, chromium_driver  # noqa: E402


def make_pair(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for 127.0.0.1 and localhost: (ca, cert, key)."""
    ca, ca_key = directory / "ca.pem", directory / "ca.key"
    cert, key, csr, san = directory / "server.pem", directory / "server.key", directory / "server.csr", directory / "san.ext"
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run = lambda args: subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: E731
    run(["req", "-x509", *ec, "-days", "2", "-subj", "/CN=llmtrace browser test CA", "-keyout", str(ca_key), "-out", str(ca)])
    run(["req", *ec, "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(csr)])
    san.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run(["x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-set_serial", "7", "-days", "2",
         "-extfile", str(san), "-out", str(cert)])
    return ca, cert, key


@pytest.fixture(scope="module")
def tls_server():
    with tempfile.TemporaryDirectory() as tmp:
        ca, cert, key = make_pair(Path(tmp))
        lt = Llmtrace(extra=["--tls-cert", str(cert), "--tls-key", str(key)])
        lt.ca = str(ca)
        yield lt
        lt.stop()


def test_panel_loads_and_goes_live_over_https(tls_server):
    assert tls_server.base.startswith("https://127.0.0.1:")
    context = ssl.create_default_context(cafile=tls_server.ca)
    with urllib.request.urlopen(tls_server.base + "api/health", context=context, timeout=10) as r:
        assert r.status == 200
    up = FakeUpstream()
    up.start()
    driver = chromium_driver(1200, 800, extra_args=["--ignore-certificate-errors"])
    try:
        driver.get(tls_server.base)
        wait_js(driver, "location.protocol === 'https:' && document.querySelector('#rows')")
        # A request through the proxy over HTTPS shows up live in the table (the event stream is on TLS too).
        status, _, _ = post_json_tls(tls_server.proxy_url(up.port), {"model": "gpt-4o-mini", "messages": []}, context)
        assert status == 200
        wait_js(driver, "document.querySelectorAll('#rows tr[data-id]').length >= 1", timeout=15)
    finally:
        driver.quit()
        up.stop()


def post_json_tls(url: str, body: dict, context: ssl.SSLContext):
    import json

    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, context=context, timeout=30) as r:
        return r.status, r.read(), dict(r.headers)


def wait_js(driver, js, timeout=10.0):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        last = driver.execute_script("return (" + js + ")")
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {js} (last value {last!r})")
