"""Fixtures the panel's browser tests share: a fake upstream, the real binary serving the panel, one
headless Chromium per test file, and a check after every test that the page logged no JavaScript error.
A test file may define its own (test_shared.py starts the binary in shared mode)."""

from __future__ import annotations

import sys
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_upstream import FakeUpstream  # noqa: E402
from harness import Llmtrace, chromium_driver, js_errors  # noqa: E402


@pytest.fixture(scope="module")
def upstream():
    up = FakeUpstream()
    up.start()
    yield up
    up.stop()


@pytest.fixture(scope="module")
def server():
    lt = Llmtrace()
    try:
        urllib.request.urlopen(lt.base, timeout=5).read()
    except Exception as e:  # noqa: BLE001
        lt.stop()
        pytest.fail(f"the binary serves no web panel at / ({e}); build one that embeds it, or set "
                    "LLMTRACE_WEB_ROOT=Sources/Server/Web to serve the folder with --web-root")
    yield lt
    lt.stop()


@pytest.fixture(scope="module")
def browser():
    d = chromium_driver(1400, 900)
    yield d
    errors = js_errors(d)
    d.quit()
    assert not errors, errors


@pytest.fixture(autouse=True)
def no_js_errors(request):
    yield
    if "browser" in request.fixturenames:
        errors = js_errors(request.getfixturevalue("browser"))
        assert not errors, f"JavaScript errors: {errors}"
