"""Shared helpers for the browser tests and scripts/screenshots-web: start the real llmtrace binary,
send traffic through its proxy, and open headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO / ".build" / "debug" / "llmtrace"
WEB_ROOT = REPO / "Sources" / "Server" / "Web"


class Llmtrace:
    """`llmtrace serve --no-socket --port 0` on a free port; `--web-root` only when LLMTRACE_WEB_ROOT is set
    (or `web_root` is passed), otherwise the binary serves its embedded panel."""

    def __init__(self, password: str | None = None, web_root: str | None = None, extra: list[str] | None = None,
                 env: dict[str, str] | None = None):
        binary = os.environ.get("LLMTRACE_BIN", str(DEFAULT_BIN))
        args = [binary, "serve", "--no-socket", "--port", "0", "--log-level", "warning"]
        root = web_root if web_root is not None else os.environ.get("LLMTRACE_WEB_ROOT")
        if root:
            args += ["--web-root", root]
        if password:
            args += ["--password", password]
        args += extra or []
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("LLMTRACE_")}, **(env or {})}
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd="/tmp")
        self.password = password
        self.output: list[str] = []
        deadline = time.monotonic() + 30
        port = None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                if self.proc.poll() is not None:
                    break
                continue
            self.output.append(line)
            m = re.search(r"listening on (https?)://[^\s:]+:(\d+)", line)
            if m:
                scheme, port = m.group(1), int(m.group(2))
                break
        if port is None:
            self.stop()
            raise RuntimeError("llmtrace did not start: " + "".join(self.output))
        self.port = port
        self.base = f"{scheme}://127.0.0.1:{port}/"
        # keep draining stdout so the process never blocks on a full pipe
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stdout:
            self.output.append(line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    # --- API helpers ---
    def get(self, path: str, auth: bool = True):
        req = urllib.request.Request(self.base + path.lstrip("/"))
        if auth and self.password:
            req.add_header("Authorization", "Bearer " + self.password)
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def proxy_url(self, upstream_port: int, path: str = "/v1/chat/completions", env: str = "test") -> str:
        return f"{self.base}proxy/{env}/http/127.0.0.1:{upstream_port}{path}"


def post_json(url: str, body: dict, headers: dict | None = None, timeout: float = 30) -> tuple[int, bytes, dict]:
    data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST")
    req.add_header("content-type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def post_in_background(url: str, body: dict, headers: dict | None = None) -> threading.Thread:
    def run():
        try:
            post_json(url, body, headers)
        except Exception:  # noqa: BLE001 - a stream cut when the test ends is fine
            pass

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def chromium_driver(width: int = 1400, height: int = 900, dark: bool | None = None, extra_args: list[str] | None = None):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--window-size={width},{height}",
              "--hide-scrollbars", "--force-device-scale-factor=1", "--disable-extensions", "--no-first-run"):
        opts.add_argument(a)
    for a in extra_args or []:
        opts.add_argument(a)
    binary = os.environ.get("CHROMIUM_BIN") or shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if binary:
        opts.binary_location = binary
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    opts.set_capability("unhandledPromptBehavior", "ignore")
    driver_path = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    service = Service(executable_path=driver_path) if driver_path else Service()
    d = webdriver.Chrome(options=opts, service=service)
    d.set_window_size(width, height)
    if dark is not None:
        emulate_scheme(d, dark)
    return d


def emulate_scheme(driver, dark: bool):
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})


def js_errors(driver):
    """Uncaught exceptions and console.error calls since the last look (network 4xx/401 lines are expected)."""
    return [e["message"] for e in driver.get_log("browser")
            if e["level"] == "SEVERE" and e.get("source") in ("javascript", "console-api")]


def wait_js(driver, js, timeout=8.0, message=None):
    """Polls a JS expression until it is truthy; returns its value."""
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        last = driver.execute_script("return (" + js + ")")
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(message or f"timed out waiting for: {js} (last value {last!r})")


def wait_until(fn, timeout=8.0, message="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + message)
