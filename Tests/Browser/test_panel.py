"""Browser tests of the llmtrace web panel: the real binary, a fake upstream, headless Chromium.

Run:  python3 -m pytest -q Tests/Browser
Env:  LLMTRACE_BIN       the binary (default .build/debug/llmtrace)
      LLMTRACE_WEB_ROOT  serve the panel from this folder with --web-root (default: the binary's
                         embedded panel at /); e.g. LLMTRACE_WEB_ROOT=Sources/Server/Web
Needs chromium + chromedriver (apt-get install chromium chromium-driver) and selenium + pytest.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Llmtrace, chromium_driver, post_in_background, post_json, wait_js, wait_until  # noqa: E402

from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

XSS = "<img src=x onerror=alert(1)>"


# --- helpers -------------------------------------------------------------------------------------

def chat(server, upstream, env, content="Hello", model="gpt-4o-mini", headers=None, stream=False, path="/v1/chat/completions"):
    body = {"model": model, "messages": [{"role": "user", "content": content}]}
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return post_json(server.proxy_url(upstream.port, path, env), body, {"authorization": "Bearer sk-test-0123456789abcdefWXYZ", **(headers or {})})


def open_panel(driver, server, hash_="#/requests"):
    driver.get(server.base + hash_)
    wait_js(driver, "document.querySelector('#rows') || document.querySelector('#login-form') || document.querySelector('.view-detail') || document.querySelector('.view-stats')")


def rows_with_env(driver, env):
    return driver.execute_script(
        "return [...document.querySelectorAll('#rows tr')].filter(r => r.querySelector('.c-env').textContent === arguments[0]).map(r => ({"
        "id: r.dataset.id, cls: r.className, cells: [...r.children].map(td => td.textContent)}))", env)


def assert_no_alert(driver):
    try:
        alert = driver.switch_to.alert
        text = alert.text
        alert.dismiss()
        raise AssertionError("a script ran: alert(" + text + ")")
    except NoAlertPresentException:
        pass


def filter_type(driver, text):
    """Replaces the filter box's text in one edit, as a paste does. Clearing and then typing key by key
    would pass through intermediate filters (the empty one, `~e f`, …) that the debounce may apply on a
    slow machine, so what "the last valid filter" is would depend on timing."""
    driver.execute_script(
        "const box = document.getElementById('filter');"
        "box.focus(); box.value = arguments[0];"
        "box.dispatchEvent(new Event('input', {bubbles: true}));", text)


# --- tests ---------------------------------------------------------------------------------------

def test_table_fills_live_as_requests_are_proxied(server, upstream, browser):
    open_panel(browser, server)
    assert rows_with_env(browser, "fill") == []
    for i in range(3):
        status, _, _ = chat(server, upstream, "fill", f"question {i}", headers={"x-fake-usage": f"{100 + i},{7 + i}"})
        assert status == 200
    status, _, _ = chat(server, upstream, "fill", "this one fails", headers={"x-fake-status": "500", "x-fake-error": "upstream exploded"})
    assert status == 500
    # no reload: the rows arrive over /api/events
    wait_until(lambda: len(rows_with_env(browser, "fill")) == 4, message="4 live rows")
    rows = rows_with_env(browser, "fill")
    api = {r["id"]: r for r in server.get("api/requests?filter=" + urllib.parse.quote("~e fill"))["items"]}
    assert set(api) == {r["id"] for r in rows}
    # newest first
    assert [r["id"] for r in rows] == sorted(api, reverse=True)
    wait_until(lambda: all("is-live" not in r["cls"] for r in rows_with_env(browser, "fill")), message="rows complete")
    rows = rows_with_env(browser, "fill")
    heads = browser.execute_script("return [...document.querySelectorAll('#requests-table th')].map(t => t.textContent)")
    col = {h: i for i, h in enumerate(heads)}
    ok = [r for r in rows if api[r["id"]]["status"] == 200]
    assert len(ok) == 3
    for r in ok:
        a = api[r["id"]]
        cells = r["cells"]
        assert cells[col["Model"]] == "gpt-4o-mini"
        assert cells[col["Status"]].startswith("200")
        assert cells[col["In"]].replace(",", "").strip("•") == str(a["usage"]["inputTokens"])
        assert cells[col["Out"]] == str(a["usage"]["outputTokens"])
        assert cells[col["Cost"]].startswith("$")
        assert cells[col["Endpoint"]] == "chat.completions"
    err = [r for r in rows if api[r["id"]]["status"] == 500][0]
    assert "is-error" in err["cls"]
    assert "upstream exploded" in err["cells"][col["Response"]]
    color = browser.execute_script(
        "return getComputedStyle(document.querySelector('tr[data-id=\"' + arguments[0] + '\"] .status')).color", err["id"])
    r_, g_, b_ = [int(x) for x in color[color.index("(") + 1:color.index(")")].split(",")[:3]]
    assert r_ > 150 and r_ > g_ + 60 and r_ > b_ + 60, f"error status should be red, got {color}"


def test_streaming_detail_grows_before_the_stream_ends(server, upstream, browser):
    open_panel(browser, server)
    text = "Alpha bravo charlie delta echo foxtrot golf hotel"
    post_in_background(server.proxy_url(upstream.port, env="stream"),
                       {"model": "gpt-4o", "stream": True, "stream_options": {"include_usage": True},
                        "messages": [{"role": "user", "content": "spell it"}]},
                       {"x-fake-gate": "g1", "x-fake-text": urllib.parse.quote(text)})
    row = wait_until(lambda: (rows_with_env(browser, "stream") or [None])[0], message="the streaming row")
    wait_js(browser, "document.querySelector('tr[data-id=\"%s\"]').classList.contains('is-live')" % row["id"])
    # open the detail from the table (a shareable link)
    browser.find_element(By.CSS_SELECTOR, 'tr[data-id="%s"] .c-model' % row["id"]).click()
    wait_js(browser, "location.hash === '#/requests/%s'" % row["id"])
    wait_js(browser, "document.querySelector('#answer-text')")
    answer = "document.querySelector('#answer-text').textContent"
    wait_js(browser, answer + ".startsWith('Alpha')", message="first token shown")
    seen = [browser.execute_script("return " + answer)]
    for _ in range(3):
        upstream.release("g1", 1)
        prev = seen[-1]
        seen.append(wait_js(browser, f"{answer}.length > {len(prev)} && {answer}", message="text grows"))
        # still in flight: the record is not complete and the bubble says so
        assert server.get("api/requests/" + row["id"])["complete"] is False
        assert browser.execute_script("return !!document.querySelector('.msg.answer.is-live')")
    assert seen[-1].startswith("Alpha bravo charlie delta")
    assert text.startswith(seen[-1])
    upstream.release("g1", None)
    wait_js(browser, "!document.querySelector('.msg.answer.is-live')", message="stream finished")
    assert browser.execute_script("return " + answer) == text
    wait_js(browser, "document.querySelector('.detail-sub .status').textContent === '200'")
    # the usage card shows the final usage
    usage = browser.execute_script("return document.querySelector('table.usage').textContent")
    assert "42" in usage

    # A second stream opened straight from its link (no table in between) still grows live.
    post_in_background(server.proxy_url(upstream.port, env="stream2"),
                       {"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "again"}]},
                       {"x-fake-gate": "g2", "x-fake-text": urllib.parse.quote("one two three four five")})
    rid = wait_until(lambda: [i["id"] for i in server.get("api/requests?env=stream2")["items"]], message="second stream")[0]
    browser.get(server.base + "#/requests/" + rid)
    browser.refresh()
    wait_js(browser, "document.querySelector('.msg.answer.is-live')")
    time.sleep(0.3)
    upstream.release("g2", 1)
    wait_js(browser, answer + ".includes('two')", message="delta after opening the link")
    upstream.release("g2", None)
    wait_js(browser, answer + " === 'one two three four five'", message="final text")


def test_an_in_flight_call_shows_its_model_and_streaming_while_it_runs(server, upstream, browser):
    # A slow stream: 80 events, 100 ms apart (8 s). Its model shows while it runs, not only at its end.
    open_panel(browser, server)
    heads = browser.execute_script("return [...document.querySelectorAll('#requests-table th')].map(t => t.textContent)")
    col = {h: i for i, h in enumerate(heads)}
    words = " ".join(f"w{i:02d}" for i in range(79))
    started = time.monotonic()
    done = post_in_background(server.proxy_url(upstream.port, env="inflight"),
                              {"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": "take your time"}]},
                              {"x-fake-delay-ms": "100", "x-fake-text": urllib.parse.quote(words)})

    def live_row():
        rows = rows_with_env(browser, "inflight")
        return next((r for r in rows if "is-live" in r["cls"] and r["cells"][col["Model"]] == "gpt-4o"
                     and "streaming" in r["cells"][col["Status"]]), None)

    # The goal is one second from the request (the model from its body, "streaming" from the response
    # head); polled up to three, so that a machine busy with the rest of the suite does not fail it. The
    # time it took is printed.
    row = wait_until(live_row, timeout=max(0.0, 3.0 - (time.monotonic() - started)), message="the in-flight row with its model, streaming")
    print(f"in-flight row with model and streaming after {time.monotonic() - started:.2f} s")
    assert row["cells"][col["Provider"]] == "openai-compatible"  # a local upstream
    # The duration ticks while it runs.
    dur = "document.querySelector('tr[data-id=\"%s\"] .c-dur').textContent" % row["id"]
    first = browser.execute_script("return " + dur)
    wait_js(browser, f"{dur} !== {json.dumps(first)}", timeout=2, message="the live duration ticks")
    # A filter on the model finds the call while it is in flight.
    assert row["id"] in [i["id"] for i in server.get("api/requests?filter=" + urllib.parse.quote("~e inflight & ~m gpt-4o & ~stream"))["items"]]

    opened = time.monotonic()
    # By its link: a click could land on cells that an update is just redrawing.
    browser.execute_script("location.hash = '#/requests/' + arguments[0]", row["id"])
    status = "(document.getElementById('detail-status') || {}).textContent || ''"
    # Opening the detail is a navigation and a record read: bounded at 2 s from the click, as the suite
    # shares two cores with the other end-to-end suites.
    wait_js(browser, status + ".includes('200 · streaming')", timeout=max(0.0, 2.0 - (time.monotonic() - opened)))
    kv = browser.execute_script("return Object.fromEntries([...document.querySelectorAll('dl.kv dt')].map(dt => [dt.textContent, dt.nextElementSibling.textContent]))")
    assert kv["Model"] == "gpt-4o"
    assert kv["Streamed"] == "yes"
    assert kv["Provider"] == "openai-compatible"
    done.join(timeout=20)
    wait_js(browser, "document.querySelector('.detail-sub .status').textContent === '200'", timeout=10, message="the stream ends")


def test_stats_draws_svg_charts_and_totals_match_the_api(server, upstream, browser):
    chat(server, upstream, "stats", "count me", model="gpt-4o", headers={"x-fake-usage": "1000,200"})
    open_panel(browser, server, "#/stats")
    wait_js(browser, "document.querySelectorAll('svg.chart').length >= 5", message="4 time charts and the cost-by-model chart")
    for cid in ("chart-requests", "chart-tokens", "chart-cost", "chart-latency", "chart-cost-by-model"):
        assert browser.execute_script("return document.getElementById(arguments[0]) instanceof SVGSVGElement", cid), cid
    assert browser.execute_script("return document.querySelectorAll('#chart-requests rect.bar').length") >= 1
    assert browser.execute_script("return document.querySelectorAll('#chart-cost-by-model rect.bar').length") >= 1

    def totals():
        return browser.execute_script(
            "const v = id => document.getElementById(id).dataset.value;"
            "return {r: v('stat-requests'), i: v('stat-input'), o: v('stat-output'), t: v('stat-tokens'), c: v('stat-cost')}")

    # Records reach the store a few tens of milliseconds after their exchange ends (capture batches its
    # writes), so the panel may have drawn the stats just before the last one landed: reload until the two agree.
    def agreeing():
        api = server.get("api/stats?since=24h")
        t = totals()
        # All totals, not just the count: an exchange still in flight is counted with no tokens yet.
        if (int(t["r"]) == api["totalRequests"] and int(t["i"]) == api["totalPromptTokens"]
                and int(t["o"]) == api["totalCompletionTokens"]):
            return api, t
        browser.refresh()
        wait_js(browser, "document.querySelectorAll('svg.chart').length >= 5", message="charts after reload")
        return None

    api, t = wait_until(agreeing, message="the panel's totals to match /api/stats")
    assert int(t["r"]) == api["totalRequests"] > 0
    assert int(t["i"]) == api["totalPromptTokens"]
    assert int(t["o"]) == api["totalCompletionTokens"]
    assert int(t["t"]) == api["totalTokens"]
    assert abs(float(t["c"]) - api["estimatedCost"]) < 1e-9
    assert browser.execute_script("return document.getElementById('stat-requests').textContent").replace(",", "").find(str(api["totalRequests"])) >= 0
    # per-model table lists gpt-4o with its request count
    models = browser.execute_script("return [...document.querySelectorAll('#model-table tbody tr')].map(r => [...r.children].map(c => c.textContent))")
    want = {m["model"]: m["requests"] for m in api["modelBreakdown"]}
    assert {m[0]: int(m[1].replace(",", "")) for m in models} == want
    # range picker: 1 h → one-minute buckets, charts redrawn
    browser.find_element(By.CSS_SELECTOR, '#range-picker button[data-range="1h"]').click()
    wait_js(browser, "document.querySelector('#range-picker button.on').dataset.range === '1h'")
    wait_js(browser, "document.querySelectorAll('#chart-requests rect.bar').length >= 1 && document.querySelectorAll('svg.chart').length >= 5")
    api1 = server.get("api/stats?since=1h")
    wait_js(browser, "document.getElementById('stat-requests').dataset.value === '%d'" % api1["totalRequests"])



def test_stats_cost_report_matches_the_api_by_each_grouping(server, upstream, browser):
    chat(server, upstream, "report", "cost me", model="gpt-4o", headers={"x-fake-usage": "1000,200"})
    open_panel(browser, server, "#/stats")
    browser.execute_script("sessionStorage.setItem('llmtrace.range', '30d'); sessionStorage.removeItem('llmtrace.reportBy')")
    open_panel(browser, server, "#/stats?range=30d")
    wait_js(browser, "document.querySelector('#report-table')", message="the cost report")

    def table():
        return browser.execute_script(
            "const t = document.getElementById('report-table');"
            "const cells = r => [...r.children].map(c => c.textContent);"
            "return {by: t.dataset.by, rows: [...t.querySelectorAll('tbody tr')].map(cells), total: cells(t.querySelector('tfoot tr'))}")

    for by in ("model", "env", "day", "month"):
        if by != "model":
            browser.find_element(By.CSS_SELECTOR, f'#report-by button[data-by="{by}"]').click()

        # Records land a few milliseconds after their exchange: reload until the panel and the API agree.
        def agreeing():
            api = server.get(f"api/report?by={by}&since=30d")
            t = table()
            if t["by"] == by and [r[0] for r in t["rows"]] == [r["key"] for r in api["rows"]] and \
                    t["total"][1].replace(",", "") == str(api["totals"]["requests"]):
                return api, t
            # Live updates leave the report alone (it reads every record of the range): ask again.
            browser.find_element(By.CSS_SELECTOR, f'#report-by button[data-by="{by}"]').click()
            time.sleep(0.2)
            return None

        api, t = wait_until(agreeing, message=f"the report by {by} to match /api/report")
        assert t["total"][0] == "Total"
        for row, want in zip(t["rows"] + [t["total"]], api["rows"] + [api["totals"]]):
            numbers = [int(c.replace(",", "")) for c in row[1:8]]
            assert numbers == [want[k] for k in ("requests", "errors", "inputTokens", "outputTokens", "cachedInputTokens",
                                                 "reasoningTokens", "totalTokens")], (by, row, want)
            assert row[8].startswith("$")
        assert browser.execute_script("return document.querySelector('#report-by button.on').dataset.by") == by
    browser.execute_script("sessionStorage.removeItem('llmtrace.range'); sessionStorage.removeItem('llmtrace.reportBy')")


def test_latency_chart_uses_p95_when_present_and_average_otherwise(server, upstream, browser):
    chat(server, upstream, "lat", "latency", headers={"x-fake-latency-ms": "120"})
    browser.get(server.base + "#/requests")
    browser.get(server.base + "#/stats")
    wait_js(browser, "document.querySelector('#chart-latency path.line')")
    has_p95 = any("p95ResponseTimeMs" in b for b in server.get("api/timeseries?bucket=15m&since=24h")["buckets"])
    if has_p95:
        assert browser.execute_script("return !!document.querySelector('#chart-latency path.line.s-p95')")
    # A server without p95 per bucket: the chart draws the average and says so.
    strip = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        const orig = window.fetch;
        window.fetch = async (...a) => {
          const r = await orig(...a);
          if (!String(a[0]).includes('/api/timeseries')) return r;
          const j = await r.json();
          for (const b of j.buckets) delete b.p95ResponseTimeMs;
          return new Response(JSON.stringify(j), {status: r.status, headers: r.headers});
        };"""})
    try:
        browser.get(server.base + "#/requests")
        browser.get(server.base + "#/stats")
        browser.refresh()
        wait_js(browser, "document.querySelector('#chart-latency path.line')")
        assert browser.execute_script("return !document.querySelector('#chart-latency path.line.s-p95') && !!document.querySelector('#chart-latency path.line.s-avg')")
        title = browser.execute_script("return document.querySelector('#chart-latency').closest('.chart-card').textContent")
        assert "average" in title
    finally:
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": strip["identifier"]})

def test_filter_narrows_the_table_and_shows_errors(server, upstream, browser):
    for env in ("filt-a", "filt-a", "filt-b"):
        chat(server, upstream, env)
    open_panel(browser, server)
    wait_until(lambda: rows_with_env(browser, "filt-b"), message="unfiltered rows")
    filter_type(browser, "~e filt-a")
    wait_js(browser, "[...document.querySelectorAll('#rows tr .c-env')].every(e => e.textContent === 'filt-a') && document.querySelectorAll('#rows tr').length === 2",
            message="only filt-a rows")
    assert "filter=" in browser.current_url
    assert browser.execute_script("return document.getElementById('filter-error').hidden")
    # live rows respect the filter too (the server filters /api/events)
    chat(server, upstream, "filt-b")
    chat(server, upstream, "filt-a")
    wait_js(browser, "document.querySelectorAll('#rows tr').length === 3", message="new matching row arrives live")
    time.sleep(0.3)
    assert browser.execute_script("return [...document.querySelectorAll('#rows tr .c-env')].every(e => e.textContent === 'filt-a')")
    # an invalid filter: the server's message under the box, the table kept
    filter_type(browser, "~e filt-a ~tok 5")
    msg = wait_js(browser, "!document.getElementById('filter-error').hidden && document.getElementById('filter-error').textContent", message="filter error")
    assert "~tok needs a comparison" in msg
    assert browser.execute_script("return document.getElementById('filter').classList.contains('invalid')")
    assert browser.execute_script("return document.querySelector('#filter-error mark').textContent") == "~tok"
    assert browser.execute_script("return document.querySelectorAll('#rows tr').length") == 3
    filter_type(browser, "~model gpt")
    wait_js(browser, "document.getElementById('filter-error').textContent.includes('Unknown operator ~model')")
    # fixed → error gone
    filter_type(browser, "~e filt-b")
    wait_js(browser, "document.getElementById('filter-error').hidden && document.querySelectorAll('#rows tr').length === 2")
    filter_type(browser, "")
    wait_js(browser, "document.querySelectorAll('#rows tr').length > 5")


def test_password_gate(upstream):
    lt = Llmtrace(password="s3cret-pass")
    d = chromium_driver(1200, 800)
    try:
        # the static panel loads without a password; the API asks for one
        open_panel(d, lt)
        wait_js(d, "document.getElementById('login-form')", message="login form")
        assert not d.execute_script("return document.querySelector('#rows')")
        pw = d.find_element(By.ID, "password")
        pw.send_keys("wrong")
        pw.send_keys(Keys.ENTER)
        wait_js(d, "document.getElementById('login-error').textContent.includes('Wrong password')")
        pw.clear()
        pw.send_keys("s3cret-pass")
        pw.send_keys(Keys.ENTER)
        wait_js(d, "!document.getElementById('login-form') && document.querySelector('#rows')", message="panel after login")
        assert d.execute_script("return sessionStorage.getItem('llmtrace.token')") == "s3cret-pass"
        # live events work with the token (?token= on the EventSource URL)
        wait_js(d, "document.querySelector('#conn').classList.contains('conn-live')", message="event stream connected")
        chat(lt, upstream, "gated")
        wait_until(lambda: rows_with_env(d, "gated"), message="live row behind the password")
        # the export buttons send the password too (a plain link could not)
        with tempfile.TemporaryDirectory() as folder:
            d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder})
            d.find_element(By.ID, "export-jsonl").click()
            lines = downloaded(Path(folder), "llmtrace-export-*.jsonl").read_text().splitlines()
            assert [json.loads(line)["env"] for line in lines] == ["gated"]
        # a reload keeps the session
        d.refresh()
        wait_js(d, "document.querySelector('#rows tr')")
        assert not d.execute_script("return document.getElementById('login-form')")
        # a cleared store empties the table live
        req = urllib.request.Request(lt.base + "api/requests", method="DELETE", headers={"Authorization": "Bearer s3cret-pass"})
        urllib.request.urlopen(req, timeout=5).read()
        wait_js(d, "document.querySelectorAll('#rows tr').length === 0", message="cleared")
        # a later 401 (password changed / wrong token) returns to the form
        d.execute_script("sessionStorage.setItem('llmtrace.token', 'stale')")
        d.refresh()
        wait_js(d, "document.getElementById('login-form')", message="form again after a 401")
    finally:
        d.quit()
        lt.stop()


def test_prompt_with_html_renders_as_text(server, upstream, browser):
    payload = XSS + " <script>window.__xss = 1</script>"
    status, _, headers = chat(server, upstream, "xss", payload, model="gpt-4o-mini",
                              headers={"x-fake-text": urllib.parse.quote("echo: <img src=y onerror=alert(2)><b>bold</b>")})
    assert status == 200
    rid = headers.get("x-llmtrace-id") or headers.get("X-Llmtrace-Id")
    open_panel(browser, server)
    wait_until(lambda: rows_with_env(browser, "xss"), message="xss row")
    row = rows_with_env(browser, "xss")[0]
    assert "<img src=y onerror=alert(2)><b>bold</b>" in row["cells"][-1]
    browser.get(server.base + "#/requests/" + rid)
    wait_js(browser, "document.querySelector('.msg-user')")
    user = browser.execute_script("return document.querySelector('.msg-user .msg-text').textContent")
    assert user == payload
    assert browser.find_element(By.CSS_SELECTOR, ".msg-user .msg-text").is_displayed()
    assert "<img src=y onerror=alert(2)>" in browser.execute_script("return document.querySelector('#answer-text').textContent")
    for tab in ("request", "response", "headers", "conversation"):
        browser.find_element(By.CSS_SELECTOR, f'.tab[data-tab="{tab}"]').click()
        time.sleep(0.15)
    time.sleep(0.3)
    assert_no_alert(browser)
    assert browser.execute_script("return window.__xss") is None
    assert browser.execute_script("return document.querySelectorAll('img[src=\"x\"], img[src=\"y\"], main script').length") == 0
    assert not browser.execute_script("return [...document.querySelectorAll('b')].some(b => b.textContent === 'bold')")


def test_copy_as_curl_and_download(server, upstream, browser, tmp_path):
    status, _, headers = chat(server, upstream, "curl", "it's a test", model="gpt-4o")
    rid = headers.get("x-llmtrace-id") or headers.get("X-Llmtrace-Id")
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.get(server.base + "#/requests/" + rid)
    wait_js(browser, "document.getElementById('copy-curl')")
    browser.find_element(By.ID, "copy-curl").click()
    cmd = wait_js(browser, "document.getElementById('curl-text') && document.getElementById('curl-text').textContent")
    assert f"'http://127.0.0.1:{upstream.port}/v1/chat/completions'" in cmd
    assert '-H "Authorization: Bearer $OPENAI_API_KEY"' in cmd
    assert "redacted" not in cmd and "WXYZ" not in cmd
    assert "--data-raw '{" in cmd and "it'\\''s a test" in cmd
    browser.find_element(By.ID, "download-json").click()
    f = tmp_path / f"llmtrace-{rid}.json"
    wait_until(lambda: f.exists() and f.stat().st_size > 0, message="downloaded JSON")
    time.sleep(0.2)
    data = json.loads(f.read_text())
    assert data["id"] == rid and data["env"] == "curl" and "requestBody" in data


def downloaded(folder, pattern):
    """The one finished download in `folder` matching `pattern` (Chromium writes *.crdownload until done)."""
    def done():
        found = [p for p in folder.glob(pattern) if p.stat().st_size > 0]
        return found[0] if len(found) == 1 and not list(folder.glob("*.crdownload")) else None
    return wait_until(done, timeout=15, message=f"a download {pattern} in {folder}")


def test_export_buttons_download_what_the_filter_matches(server, upstream, browser, tmp_path):
    for i in range(3):
        assert chat(server, upstream, "exp-a", f"export, \"row\" {i}", model="gpt-4o")[0] == 200
    assert chat(server, upstream, "exp-b", "not this one")[0] == 200
    expected = server.get("api/requests?limit=100&filter=" + urllib.parse.quote("~e exp-a"))["items"]
    assert len(expected) == 3
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    open_panel(browser, server, "#/requests?filter=" + urllib.parse.quote("~e exp-a"))
    wait_js(browser, "document.querySelectorAll('#rows tr').length === 3", message="the filtered rows")
    labels = browser.execute_script("return [...document.querySelectorAll('#export button')].map(b => b.textContent)")
    assert labels == ["CSV", "JSON", "JSONL"]

    browser.find_element(By.ID, "export-csv").click()
    f = downloaded(tmp_path, "llmtrace-export-*.csv")
    rows = list(csv.DictReader(open(f, newline="", encoding="utf-8")))
    assert [r["id"] for r in rows] == [r["id"] for r in expected]
    assert all(r["env"] == "exp-a" and r["model"] == e["model"] and r["text"] == e["text"] for r, e in zip(rows, expected))
    wait_js(browser, "!document.getElementById('export-json').disabled", message="the buttons back")

    browser.find_element(By.ID, "export-json").click()
    items = json.loads(downloaded(tmp_path, "llmtrace-export-*.json").read_text())
    assert [r["id"] for r in items] == [r["id"] for r in expected]
    wait_js(browser, "!document.getElementById('export-jsonl').disabled", message="the buttons back")

    # A new filter: the next export follows it.
    filter_type(browser, "~e exp-b")
    wait_js(browser, "document.querySelectorAll('#rows tr').length === 1", message="the new filter's row")
    browser.find_element(By.ID, "export-jsonl").click()
    lines = downloaded(tmp_path, "llmtrace-export-*.jsonl").read_text().splitlines()
    assert [json.loads(line)["env"] for line in lines] == ["exp-b"]


def test_load_older_pages_back(server, upstream, browser):
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: chat(server, upstream, "page", f"n{i}"), range(105)))
    open_panel(browser, server, "#/requests?filter=" + urllib.parse.quote("~e page"))
    wait_js(browser, "document.querySelectorAll('#rows tr').length === 100 && !document.getElementById('load-older').hidden", message="first page")
    browser.find_element(By.ID, "load-older").click()
    wait_js(browser, "document.querySelectorAll('#rows tr').length === 105 && document.getElementById('load-older').hidden", message="older page")
    ids = browser.execute_script("return [...document.querySelectorAll('#rows tr')].map(r => r.dataset.id)")
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 105


def test_usable_at_phone_width(server, upstream, browser):
    rid = server.get("api/requests?limit=1")["items"][0]["id"]
    browser.set_window_size(375, 800)
    try:
        for hash_ in ("#/requests", "#/requests/" + rid, "#/stats"):
            browser.get(server.base + hash_)
            wait_js(browser, "document.querySelector('#rows tr') || document.querySelector('.detail-grid') || document.querySelectorAll('svg.chart').length >= 4")
            time.sleep(0.2)
            width = browser.execute_script("return document.documentElement.scrollWidth")
            inner = browser.execute_script("return window.innerWidth")
            assert width <= inner + 1, f"{hash_}: page is {width}px wide in a {inner}px window"
    finally:
        browser.set_window_size(1400, 900)


LAZY_VIEWS = {"sessions.js", "diff.js", "replay.js", "stats.js", "chart.js"}


def test_first_load_transfers_under_150_kb(server):
    d = chromium_driver(1400, 900)
    try:
        d.get(server.base)
        wait_js(d, "document.querySelector('#rows') && document.querySelector('#conn').classList.contains('conn-live')")
        time.sleep(0.3)
        entries = d.execute_script(
            "return [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]"
            ".map(e => ({name: e.name, size: e.decodedBodySize, transfer: e.transferSize}))")
    finally:
        d.quit()
    static = [e for e in entries if "/api/" not in e["name"]]
    names = {urllib.parse.urlparse(e["name"]).path for e in static}
    assert {"/", "/app.js", "/style.css"} <= names, names
    total = sum(max(e["size"], e["transfer"]) for e in static)
    assert 10_000 < total < 150 * 1024, f"first load is {total} bytes: {static}"
    # Loaded only when opened: the admin pages of shared mode, the stats page and its charts, the sessions view, the diff tab, replay.
    lazy = lambda name: name.startswith("admin") or name in LAZY_VIEWS  # noqa: E731
    assert not [n for n in names if lazy(n.rsplit("/", 1)[-1])], names
    root = os.environ.get("LLMTRACE_WEB_ROOT")
    if root:
        files = [p for p in Path(root).rglob("*") if p.is_file()]
        on_disk = sum(p.stat().st_size for p in files)
        standalone = sum(p.stat().st_size for p in files if not lazy(p.name))
        assert standalone < 150 * 1024, f"the panel folder holds {standalone} bytes besides the pages loaded when opened"
        assert on_disk < 230 * 1024, f"the panel folder holds {on_disk} bytes"


CONVERSATIONS = {
    "openai": {"model": "gpt-4o", "messages": [
        {"role": "system", "content": "S"},
        {"role": "user", "content": [{"type": "text", "text": "U"}, {"type": "image_url", "image_url": {"url": "https://x/cat.png"}}]},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "R"}]},
    "anthropic": {"model": "claude", "system": [{"type": "text", "text": "S"}], "messages": [
        {"role": "user", "content": "U"},
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "T"}, {"type": "tool_use", "id": "t1", "name": "f", "input": {"a": 1}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "R"}]}]}]},
    "gemini": {"systemInstruction": {"parts": [{"text": "S"}]}, "contents": [
        {"role": "user", "parts": [{"text": "U"}]},
        {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {"a": 1}}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {"r": "R"}}}]}]},
    "ollama": {"model": "llama3", "messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "U", "images": ["iVBOR"]},
                                               {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "f", "arguments": {"a": 1}}}]},
                                               {"role": "tool", "content": "R"}]},
    "responses": {"model": "gpt-4.1", "instructions": "S", "input": [
        {"role": "user", "content": [{"type": "input_text", "text": "U"}]},
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{\"a\":1}"},
        {"type": "function_call_output", "call_id": "c1", "output": "R"}]},
}


def test_conversation_formats_parse_into_chat_bubbles(server, browser):
    browser.get(server.base + "#/stats")
    got = browser.execute_async_script(
        "const [bodies, done] = arguments;"
        "import(new URL('conversation.js', document.baseURI).href).then(m => {"
        "  const out = {};"
        "  for (const [k, b] of Object.entries(bodies)) out[k] = m.parseConversation(b).messages.map(x => x.role + ':' + x.parts.map(p => p.kind + '=' + (p.text ?? p.name ?? p.content ?? p.label ?? '')).join(','));"
        "  done(out);"
        "}, e => done({error: String(e)}))", CONVERSATIONS)
    assert "error" not in got, got
    call_args = "call=f"
    assert got["openai"] == ["system:text=S", "user:text=U,media=image: https://x/cat.png", "assistant:" + call_args, "tool:result=R"]
    assert got["anthropic"] == ["system:text=S", "user:text=U", "assistant:thinking=T," + call_args, "tool:result=R"]
    assert got["gemini"] == ["system:text=S", "user:text=U", "assistant:" + call_args, "tool:result=f"]
    assert got["ollama"] == ["system:text=S", "user:text=U,media=image: base64", "assistant:" + call_args, "tool:result=R"]
    assert got["responses"] == ["system:text=S", "user:text=U", "assistant:" + call_args, "tool:result=R"]
