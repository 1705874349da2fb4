"""Browser tests of the panel's Sessions view, the request detail's Diff tab and Replay: the real
binary, the fake upstream playing a tool-using agent, headless Chromium.

Run:  python3 -m pytest -q Tests/Browser/test_sessions.py   (env as for test_panel.py)
"""

from __future__ import annotations

import json
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_upstream import DEFAULT_TEXT  # noqa: E402
from harness import post_json, wait_js, wait_until  # noqa: E402

from selenium.webdriver.common.by import By  # noqa: E402

CLIENT_KEY = "sk-test-0123456789abcdefWXYZ"
SYSTEM = "You are a build agent. Use run_step for every change."


def record_id(headers):
    return headers.get("x-llmtrace-id") or headers.get("X-Llmtrace-Id")


def agent_run(server, upstream, env, steps, usages, temperatures, headers=None):
    """An agent loop through the proxy: the model asks for `run_step` `steps` times, the client sends
    each result back with the whole conversation, then the model answers. Returns the record ids."""
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "Make the failing test pass."}]
    ids = []
    for turn in range(steps + 1):
        body = {"model": "gpt-4o", "temperature": temperatures[turn], "messages": list(messages)}
        status, raw, h = post_json(server.proxy_url(upstream.port, env=env), body, {
            "authorization": "Bearer " + CLIENT_KEY, "x-fake-agent": str(steps), "x-fake-usage": usages[turn],
            "x-fake-text": urllib.parse.quote("All tests pass now.\nThe fix was a missing await."), **(headers or {})})
        assert status == 200, raw
        ids.append(record_id(h))
        answer = json.loads(raw)["choices"][0]["message"]
        messages.append(answer)
        for call in answer.get("tool_calls") or []:
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps({"ok": True, "call": call["id"]})})
    return ids


def settled(server, ids):
    """Waits until every record has been stored finished; returns them."""
    def all_done():
        recs = [server.get("api/requests/" + i) for i in ids]
        return recs if all(r["durationMs"] is not None for r in recs) else None
    return wait_until(all_done, message="the records to be stored")


def session_rows(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('#session-rows tr')].map(r => ({id: r.dataset.id,"
        " cells: Object.fromEntries([...r.children].map(td => [td.className.split(' ')[0], td.textContent]))}))")


@pytest.fixture(scope="module")
def agent(server, upstream):
    """A three-turn agent run (two tool calls, then the answer); the last turn raises the temperature."""
    ids = agent_run(server, upstream, "agent", 2, ["1200,40", "1500,35", "1900,120"], [0.2, 0.2, 0.7])
    return {"ids": ids, "records": settled(server, ids)}


def test_an_agent_run_is_one_row_with_its_totals_and_new_sessions_arrive_live(server, upstream, browser, agent):
    ids, records = agent["ids"], agent["records"]
    # The tracker put the three turns in one session, named after the first turn's record.
    assert [r["sessionId"] for r in records] == [ids[0]] * 3
    assert [r["turn"] for r in records] == [1, 2, 3]
    chat_ids = agent_run(server, upstream, "chat-other", 0, ["10,5"], [1.0])
    browser.get(server.base + "#/sessions?range=")
    wait_js(browser, "document.querySelector('#session-rows tr[data-id=\"%s\"]')" % ids[0], message="the agent's session row")
    rows = {r["id"]: r["cells"] for r in session_rows(browser)}
    # One row for the three calls, not three.
    assert not set(ids[1:]) & set(rows)
    assert chat_ids[0] in rows
    cells = rows[ids[0]]
    assert cells["c-turns"] == "3"
    assert cells["c-in"] == "4.6k"  # 1200 + 1500 + 1900
    assert cells["c-out"] == "195"  # 40 + 35 + 120
    assert cells["c-env"] == "agent"
    assert cells["c-models"] == "gpt-4o"
    assert cells["c-errors"] == "0"
    cost = sum(r["estimatedCost"] for r in records)
    assert cost > 0
    api = next(s for s in server.get("api/sessions?limit=1000")["items"] if s["id"] == ids[0])
    assert (api["turns"], api["inputTokens"], api["outputTokens"]) == (3, 4600, 195)
    assert abs(api["cost"] - cost) < 1e-12
    shown = browser.execute_script(
        "return import(new URL('util.js', document.baseURI).href).then(m => [m.fmtCost(arguments[0]), m.fmtMs(arguments[1])])", cost, api["durationMs"])
    assert cells["c-cost"] == shown[0]
    assert cells["c-dur"] == shown[1]

    # The env filter.
    browser.execute_script("const s = document.getElementById('sessions-env'); s.value = 'agent'; s.dispatchEvent(new Event('change'))")
    wait_js(browser, "[...document.querySelectorAll('#session-rows tr')].every(r => r.querySelector('.c-env').textContent === 'agent')"
            " && !!document.querySelector('#session-rows tr[data-id=\"%s\"]')" % ids[0], message="only the agent env")
    assert "env=agent" in browser.current_url

    # A session named by header arrives while the view is open, and its turns count up: no reload. One
    # call at a time: the last event of each is all the view hears.
    browser.execute_script("window.__same_page = 1")
    for i in range(2):
        post_json(server.proxy_url(upstream.port, env="agent"), {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"step {i}"}]},
                  {"authorization": "Bearer " + CLIENT_KEY, "x-llmtrace-session": "run-42", "x-fake-usage": "100,10"})
        wait_js(browser, "(document.querySelector('#session-rows tr[data-id=\"run-42\"] .c-turns') || {}).textContent === '%d'" % (i + 1), timeout=10,
                message=f"the named session with {i + 1} turns, live")
    assert browser.execute_script("return window.__same_page") == 1
    # Most recently active first.
    assert session_rows(browser)[0]["id"] == "run-42"

    # "more than one turn" leaves the single calls out, and says so in the URL.
    singles = [r["id"] for r in session_rows(browser) if r["cells"]["c-turns"] == "1"]
    browser.find_element(By.ID, "sessions-multi").click()
    wait_js(browser, "[...document.querySelectorAll('#session-rows tr')].every(r => r.querySelector('.c-turns').textContent !== '1')"
            " && !!document.querySelector('#session-rows tr[data-id=\"run-42\"]')", message="multi-turn sessions only")
    assert "multi=1" in browser.current_url
    assert not singles or not {r["id"] for r in session_rows(browser)} & set(singles)
    browser.find_element(By.ID, "sessions-multi").click()


def test_the_drill_down_lists_the_turns_in_order(server, browser, agent):
    ids = agent["ids"]
    browser.get(server.base + "#/sessions?range=")
    wait_js(browser, "document.querySelector('#session-rows tr[data-id=\"%s\"]')" % ids[0])
    browser.find_element(By.CSS_SELECTOR, '#session-rows tr[data-id="%s"] .c-models' % ids[0]).click()
    wait_js(browser, "location.hash === '#/sessions/%s' && document.querySelectorAll('#turn-rows tr').length === 3" % ids[0], message="the session's turns")
    turns = browser.execute_script(
        "return [...document.querySelectorAll('#turn-rows tr')].map(r => ({id: r.dataset.id, turn: r.querySelector('.c-turn').textContent,"
        " model: r.querySelector('.c-model').textContent, answer: r.querySelector('.c-preview').textContent, status: r.querySelector('.c-status').textContent}))")
    assert [t["id"] for t in turns] == ids
    assert [t["turn"] for t in turns] == ["1", "2", "3"]
    assert all(t["model"] == "gpt-4o" and t["status"] == "200" for t in turns)
    assert [t["answer"] for t in turns[:2]] == ["⚙ run_step()", "⚙ run_step()"]
    assert turns[2]["answer"] == "All tests pass now."  # the first line of the answer
    totals = browser.execute_script("return {...document.getElementById('session-totals').dataset}")
    assert totals["turns"] == "3" and totals["input"] == "4600" and totals["output"] == "195"
    assert browser.execute_script("return document.getElementById('session-id').textContent") == ids[0]
    # A turn opens its request; the request links back to its session.
    browser.find_element(By.CSS_SELECTOR, '#turn-rows tr[data-id="%s"] .c-model' % ids[1]).click()
    wait_js(browser, "location.hash === '#/requests/%s' && document.getElementById('detail-session')" % ids[1])
    assert browser.execute_script("return document.getElementById('detail-session').textContent") == "session · turn 2"
    browser.find_element(By.ID, "detail-session").click()
    wait_js(browser, "document.querySelectorAll('#turn-rows tr').length === 3", message="back in the session")


def test_the_diff_tab_shows_what_the_turn_added_and_changed(server, browser, agent):
    ids = agent["ids"]
    browser.get(server.base + "#/requests/" + ids[2])
    wait_js(browser, "document.querySelector('.tab[data-tab=\"diff\"]')", message="a Diff tab")
    browser.find_element(By.CSS_SELECTOR, '.tab[data-tab="diff"]').click()
    wait_js(browser, "document.getElementById('diff')", message="the diff")
    assert browser.execute_script("return document.getElementById('diff-previous').textContent") == ids[1]
    added = browser.execute_script(
        "return [...document.querySelectorAll('#diff-messages .diff-msg.add')].map(m => ({role: m.dataset.role, text: m.querySelector('.diff-body').textContent}))")
    # The model's second tool call and its result: what this turn sent that the previous one did not.
    assert [m["role"] for m in added] == ["assistant", "tool"]
    assert added[0]["text"].startswith("⚙ run_step(") and '"step": 2' in added[0]["text"]
    assert added[1]["text"].startswith("↩ ") and "call_step2" in added[1]["text"]
    assert browser.execute_script("return document.querySelectorAll('#diff-messages .diff-msg.del').length") == 0
    assert "4 messages as in the previous turn" in browser.execute_script("return document.querySelector('#diff-messages .diff-kept').textContent")
    param = browser.execute_script(
        "const r = document.querySelector('#diff-params tr[data-name=\"temperature\"]');"
        "return r && {before: r.querySelector('.before').textContent, after: r.querySelector('.after').textContent}")
    assert param == {"before": "0.2", "after": "0.7"}
    assert browser.execute_script("return document.querySelectorAll('#diff-params tr').length") == 1
    # Added green, removed red, as a code diff.
    green = browser.execute_script("return getComputedStyle(document.querySelector('#diff-params .after')).color")
    red = browser.execute_script("return getComputedStyle(document.querySelector('#diff-params .before')).color")
    rgb = lambda c: [int(x) for x in c[c.index("(") + 1:c.index(")")].split(",")[:3]]  # noqa: E731
    assert rgb(green)[1] > rgb(green)[0] + 40, green
    assert rgb(red)[0] > rgb(red)[1] + 60, red
    # The first turn: everything is new.
    browser.get(server.base + "#/requests/" + ids[0])
    wait_js(browser, "document.getElementById('diff') && document.getElementById('diff').textContent.includes('the first turn')", message="the first turn's diff")
    assert browser.execute_script("return [...document.querySelectorAll('#diff-messages .diff-msg.add')].map(m => m.dataset.role)") == ["system", "user"]


def replay(browser, key, model=None):
    """Opens the replay form, types `key` (and `model`), sends, waits for the comparison; the new record's id."""
    browser.find_element(By.ID, "replay").click()
    wait_js(browser, "document.getElementById('replay-key')", message="the replay form")
    browser.find_element(By.ID, "replay-key").send_keys(key)
    if model:
        m = browser.find_element(By.ID, "replay-model")
        m.clear()
        m.send_keys(model)
        browser.find_element(By.ID, "replay-key").click()  # blur: the body takes the model
    browser.find_element(By.ID, "replay-send").click()
    wait_js(browser, "document.getElementById('replay-compare') || document.getElementById('replay-error').textContent", timeout=15, message="the replay's answer")
    assert not browser.execute_script("return document.getElementById('replay-error').textContent")
    return browser.execute_script("return document.querySelector('#replay-compare .replay-side:last-child').dataset.id")


def assert_key_nowhere(server, browser, key):
    for item in server.get("api/requests?limit=1000")["items"]:
        assert key not in json.dumps(server.get("api/requests/" + item["id"])), item["id"]
    assert key not in json.dumps(server.get("api/requests?limit=1000"))
    storage = browser.execute_script("return JSON.stringify([{...localStorage}, {...sessionStorage}, location.href, document.cookie])")
    assert key not in storage
    assert key not in "".join(server.output)


def test_replay_sends_the_typed_key_in_the_right_header_and_never_stores_it(server, upstream, browser, agent):
    original = agent["ids"][0]
    key = "sk-replay-9f8e7d6c5b4a3210SECRETKEY"
    browser.get(server.base + "#/requests/" + original)
    wait_js(browser, "document.getElementById('replay')")
    seen = len(upstream.requests)
    new_id = replay(browser, key, model="gpt-4o-mini")
    assert browser.execute_script("return document.getElementById('replay-key-kind').value") == "bearer"
    sent = upstream.requests[seen:]
    assert len(sent) == 1
    assert sent[0]["headers"]["authorization"] == "Bearer " + key
    assert "x-llmtrace-replay-of" not in sent[0]["headers"]  # llmtrace's header stays with llmtrace
    assert sent[0]["body"]["model"] == "gpt-4o-mini"
    assert sent[0]["body"]["messages"] == json.loads(server.get("api/requests/" + original)["requestBody"]["content"])["messages"]
    rec = wait_until(lambda: (lambda r: r if r["durationMs"] is not None else None)(server.get("api/requests/" + new_id)), message="the replay's record")
    assert rec["replayOf"] == original
    assert rec["model"] == "gpt-4o-mini"
    auth = next(x["value"] for x in rec["requestHeaders"] if x["name"] == "authorization")
    assert auth.startswith("<redacted")
    sides = browser.execute_script(
        "return [...document.querySelectorAll('#replay-compare .replay-side')].map(s => ({id: s.dataset.id, text: s.querySelector('.answer-text').textContent, kv: s.querySelector('dl').textContent}))")
    assert [s["id"] for s in sides] == [original, new_id]
    assert sides[0]["text"].startswith("⚙ run_step(") and "gpt-4o-mini" in sides[1]["kv"]
    assert browser.execute_script("return document.getElementById('replay-link').getAttribute('href')") == "#/requests/" + new_id

    # A streamed Anthropic call: the key goes in x-api-key with anthropic-version; the stream is read to its end.
    status, _, h = post_json(server.proxy_url(upstream.port, "/v1/messages", "claude"),
                             {"model": "claude-sonnet-4-20250514", "max_tokens": 256, "stream": True, "messages": [{"role": "user", "content": "hello"}]},
                             {"x-api-key": "sk-ant-original-0123456789abcdef", "anthropic-version": "2023-06-01"})
    assert status == 200
    anthropic_id = record_id(h)
    settled(server, [anthropic_id])
    browser.get(server.base + "#/requests/" + anthropic_id)
    wait_js(browser, "document.getElementById('replay') && document.querySelector('.detail-sub .status').textContent === '200'")
    key2 = "sk-ant-replay-0011223344556677KEY2"
    seen = len(upstream.requests)
    new2 = replay(browser, key2)
    assert browser.execute_script("return document.getElementById('replay-key-kind').value") == "anthropic"
    got = upstream.requests[seen]["headers"]
    assert got["x-api-key"] == key2 and got["anthropic-version"] == "2023-06-01" and "authorization" not in got
    assert got["anthropic-dangerous-direct-browser-access"] == "true"  # the browser's Origin goes along
    assert upstream.requests[seen]["body"]["stream"] is True
    wait_js(browser, "document.querySelector('#replay-compare .replay-side:last-child .answer-text').textContent === %s" % json.dumps(DEFAULT_TEXT))
    assert server.get("api/requests/" + new2)["replayOf"] == anthropic_id

    # A missing key is said, not sent.
    browser.find_element(By.ID, "replay-key").clear()
    seen = len(upstream.requests)
    browser.find_element(By.ID, "replay-send").click()
    wait_js(browser, "document.getElementById('replay-error').textContent.includes('Type the API key')")
    time.sleep(0.3)
    assert len(upstream.requests) == seen

    for k in (key, key2):
        assert_key_nowhere(server, browser, k)


def test_usable_at_phone_width(server, browser, agent):
    browser.set_window_size(375, 800)
    try:
        for hash_, ready in (("#/sessions?range=", "#session-rows tr"), ("#/sessions/" + agent["ids"][0], "#turn-rows tr"),
                             ("#/requests/" + agent["ids"][2], "#diff")):
            browser.execute_script("sessionStorage.setItem('llmtrace.tab', 'diff')")
            browser.get(server.base + hash_)
            wait_js(browser, "document.querySelector('%s')" % ready)
            time.sleep(0.2)
            width = browser.execute_script("return document.documentElement.scrollWidth")
            inner = browser.execute_script("return window.innerWidth")
            assert width <= inner + 1, f"{hash_}: page is {width}px wide in a {inner}px window"
    finally:
        browser.set_window_size(1400, 900)
