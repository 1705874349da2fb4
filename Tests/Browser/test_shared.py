"""Browser tests of the web panel in shared mode (`llmtrace serve --mode shared` on PostgreSQL): the
sign-in page, each team's member seeing only their own traffic, the admin pages, invitations.

Needs LLMTRACE_TEST_POSTGRES_URL (scripts/dev-databases start); skipped without it. Each run uses a
fresh schema, dropped at the end when psql is there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_upstream import FakeUpstream  # noqa: E402
from harness import Llmtrace, chromium_driver, post_json  # noqa: E402
from harness import wait_js, wait_until  # noqa: E402
from test_panel import downloaded  # noqa: E402

from selenium.webdriver.common.by import By  # noqa: E402

POSTGRES = os.environ.get("LLMTRACE_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(not POSTGRES, reason="LLMTRACE_TEST_POSTGRES_URL is not set (scripts/dev-databases start)")

ROOT = ("root@example.com", "root-password")
ALICE = ("alice@example.com", "alice-password")  # member of alpha
BOB = ("bob@example.com", "bob-password")  # member of beta
CAROL = ("carol@example.com", "carol-password")  # admin of alpha


class Shared:
    """The server, its two teams and their environments, and the admin API as root."""

    def __init__(self, lt: Llmtrace, upstream: FakeUpstream):
        self.lt = lt
        self.upstream = upstream
        self.root = self.login(*ROOT)["accessToken"]
        self.teams: dict[str, str] = {}
        self.keys: dict[str, str] = {}

    def call(self, method: str, path: str, token: str | None = None, body: dict | None = None):
        req = urllib.request.Request(self.lt.base + path.lstrip("/"), method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        if body is not None:
            req.add_header("content-type", "application/json")
        if token:
            req.add_header("authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=15) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, json.loads(raw) if raw else None

    def ok(self, method, path, token=None, body=None):
        status, answer = self.call(method, path, token or self.root, body)
        assert status in (200, 201, 204), (method, path, status, answer)
        return answer

    def login(self, email, password):
        status, answer = self.call("POST", "admin/login", body={"email": email, "password": password})
        assert status == 200, answer
        return answer

    def add_member(self, team: str, who: tuple[str, str], role: str):
        answer = self.ok("POST", f"admin/teams/{self.teams[team]}/users", body={"email": who[0], "role": role})
        self.ok("POST", "admin/invites/accept", body={"token": answer["invite"]["token"], "password": who[1]})

    def chat(self, env: str, text: str, key: str | None = None):
        env_part = f"{env}:{key}" if key else env
        url = f"{self.lt.base}proxy/{env_part}/http/127.0.0.1:{self.upstream.port}/v1/chat/completions"
        status, _, _ = post_json(url, {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]},
                                 {"authorization": "Bearer sk-test-0123456789abcdefWXYZ", "x-fake-usage": "120,30"})
        return status


@pytest.fixture(scope="module")
def shared():
    schema = "llmtrace_w_" + uuid.uuid4().hex[:16]
    db = POSTGRES + ("&" if "?" in POSTGRES else "?") + "schema=" + schema
    up = FakeUpstream()
    up.start()
    lt = Llmtrace(extra=["--mode", "shared", "--db", db, "--alert-interval", "1"],
                  env={"LLMTRACE_BOOTSTRAP_EMAIL": ROOT[0], "LLMTRACE_BOOTSTRAP_PASSWORD": ROOT[1]})
    try:
        s = Shared(lt, up)
        for slug in ("alpha", "beta"):
            s.teams[slug] = s.ok("POST", "admin/teams", body={"slug": slug, "name": slug.capitalize()})["id"]
        s.ok("POST", "admin/environments", body={"envId": "alpha-env", "teamId": s.teams["alpha"], "name": "Alpha"})
        beta = s.ok("POST", "admin/environments", body={"envId": "beta-env", "teamId": s.teams["beta"], "requireKey": True})
        s.keys["beta-env"] = beta["ingestKey"]
        s.add_member("alpha", ALICE, "member")
        s.add_member("beta", BOB, "member")
        s.add_member("alpha", CAROL, "admin")
        for i in range(3):
            assert s.chat("alpha-env", f"alpha question {i}") == 200
        for i in range(2):
            assert s.chat("beta-env", f"beta question {i}", s.keys["beta-env"]) == 200
        # Every exchange is stored before the pages read them.
        wait_until(lambda: len(s.ok("GET", "api/requests")["items"]) == 5, 20, "5 stored records")
        yield s
    finally:
        lt.stop()
        up.stop()
        psql = shutil.which("psql")
        if psql:
            subprocess.run([psql, POSTGRES.split("?")[0], "-q", "-c", f"DROP SCHEMA IF EXISTS {schema} CASCADE"],
                           capture_output=True, timeout=30, check=False)


@pytest.fixture(scope="module")
def browser():
    d = chromium_driver(1400, 900)
    yield d
    d.quit()


# --- helpers -------------------------------------------------------------------------------------

def sign_out_if_needed(driver, shared):
    driver.get(shared.lt.base + "#/requests")
    driver.execute_script("localStorage.clear(); sessionStorage.clear()")
    driver.get(shared.lt.base + "#/requests")
    driver.refresh()


def sign_in(driver, shared, who, hash_="#/requests"):
    sign_out_if_needed(driver, shared)
    wait_js(driver, "document.querySelector('#signin-form')", message="the sign-in page")
    driver.find_element(By.ID, "email").send_keys(who[0])
    driver.find_element(By.ID, "password").send_keys(who[1])
    driver.find_element(By.CSS_SELECTOR, "#signin-form button[type=submit]").click()
    wait_js(driver, "!document.querySelector('#signin-form') && !document.getElementById('who').hidden", message="signed in")
    if hash_ != "#/requests":
        driver.get(shared.lt.base + hash_)


def table_envs(driver):
    return driver.execute_script("return [...document.querySelectorAll('#rows tr')].map(r => r.querySelector('.c-env').textContent)")


def visible(driver, css):
    return driver.execute_script("return [...document.querySelectorAll(arguments[0])].filter(e => e.offsetParent !== null).length", css)


# --- tests ---------------------------------------------------------------------------------------

def test_the_panel_asks_for_an_account_and_each_member_sees_only_their_team(shared, browser):
    sign_out_if_needed(browser, shared)
    wait_js(browser, "document.querySelector('#signin-form')")
    # A wrong password is refused on the page.
    browser.find_element(By.ID, "email").send_keys(ALICE[0])
    browser.find_element(By.ID, "password").send_keys("not-her-password")
    browser.find_element(By.CSS_SELECTOR, "#signin-form button[type=submit]").click()
    wait_js(browser, "document.getElementById('signin-error').textContent.includes('Wrong email or password')")
    assert browser.execute_script("return localStorage.getItem('llmtrace.session')") is None

    for who, env, other in ((ALICE, "alpha-env", "beta-env"), (BOB, "beta-env", "alpha-env")):
        count = len(shared.ok("GET", "api/requests?env=" + env)["items"])  # as root
        sign_in(browser, shared, who)
        assert browser.find_element(By.ID, "who").text.startswith(who[0])
        wait_until(lambda: len(table_envs(browser)) == count, message=f"{count} rows for {who[0]}")
        assert set(table_envs(browser)) == {env}
        # The live stream brings the team's new traffic, and never the other team's.
        assert shared.chat(other, "not for you", shared.keys.get(other)) == 200
        assert shared.chat(env, "for you", shared.keys.get(env)) == 200
        wait_until(lambda: len(table_envs(browser)) == count + 1, message="the new row")
        assert set(table_envs(browser)) == {env}
        # The dashboard counts the team's environments only.
        browser.get(shared.lt.base + "#/admin/dashboard")
        wait_js(browser, "document.querySelector('#dash-envs')")
        envs = browser.execute_script("return [...document.querySelectorAll('#dash-envs tbody tr')].map(r => r.dataset.env)")
        assert envs == [env]
        # Signing out shows the sign-in page again and forgets the session.
        browser.find_element(By.ID, "signout").click()
        wait_js(browser, "document.querySelector('#signin-form')")
        assert browser.execute_script("return localStorage.getItem('llmtrace.session')") is None


def test_an_expired_access_token_is_refreshed_silently(shared, browser):
    sign_in(browser, shared, ALICE)
    wait_until(lambda: len(table_envs(browser)) >= 3, message="rows")
    before = json.loads(browser.execute_script("return localStorage.getItem('llmtrace.session')"))
    # An access token the server no longer accepts (as after 15 minutes): the next read refreshes it.
    before["accessToken"] = "expired." + before["accessToken"]
    browser.execute_script("localStorage.setItem('llmtrace.session', arguments[0])", json.dumps(before))
    browser.refresh()
    wait_until(lambda: len(table_envs(browser)) >= 3, message="rows after the refresh")
    after = json.loads(browser.execute_script("return localStorage.getItem('llmtrace.session')"))
    assert after["refreshToken"] != before["refreshToken"]  # rotated, and the newest kept
    assert after["accessToken"] != before["accessToken"]
    assert not browser.find_elements(By.ID, "signin-form")
    # The spent refresh token is refused by the server; the stored one works.
    assert shared.call("POST", "admin/refresh", body={"refreshToken": before["refreshToken"]})[0] == 401


def test_a_members_export_and_cost_report_hold_only_their_teams_traffic(shared, browser, tmp_path):
    sign_in(browser, shared, ALICE)
    wait_until(lambda: len(table_envs(browser)) >= 1, message="rows")
    ids = [r["id"] for r in shared.ok("GET", "api/requests?limit=1000&env=alpha-env")["items"]]  # as root
    # The export is fetched with her access token (no link could carry it) and holds her team's records only.
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.find_element(By.ID, "export-jsonl").click()
    lines = downloaded(tmp_path, "llmtrace-export-*.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ids and ids
    # The cost report on the stats page, by environment: hers alone.
    browser.get(shared.lt.base + "#/stats?range=30d")
    wait_js(browser, "document.querySelector('#report-by button[data-by=env]')", message="the cost report")
    browser.find_element(By.CSS_SELECTOR, '#report-by button[data-by="env"]').click()
    wait_js(browser, "document.getElementById('report-table').dataset.by === 'env'", message="the report by env")
    keys = browser.execute_script("return [...document.querySelectorAll('#report-table tbody tr')].map(r => r.children[0].textContent)")
    assert keys == ["alpha-env"]
    total = browser.execute_script("return document.querySelector('#report-table tfoot tr').children[1].textContent")
    assert int(total.replace(",", "")) == len(ids)
    browser.execute_script("sessionStorage.removeItem('llmtrace.range'); sessionStorage.removeItem('llmtrace.reportBy')")


def test_a_member_sees_no_buttons_their_role_may_not_use(shared, browser):
    sign_in(browser, shared, ALICE, "#/admin/members")
    wait_js(browser, "document.querySelector('#members-table tbody tr[data-email]')")
    tabs = browser.execute_script("return [...document.querySelectorAll('.admin-tabs a')].map(a => a.textContent)")
    assert tabs == ["Dashboard", "Teams", "Members", "Environments", "Alerts"]
    emails = browser.execute_script("return [...document.querySelectorAll('#members-table tbody tr')].map(r => r.dataset.email)")
    assert set(emails) == {ROOT[0], ALICE[0], CAROL[0]}  # root created the team: its owner
    assert visible(browser, "#invite-form") == 0
    assert visible(browser, ".act-remove, .act-restore, .role-select") == 0
    assert visible(browser, f'tr[data-email="{ALICE[0]}"] .act-leave') == 1
    browser.get(shared.lt.base + "#/admin/environments")
    wait_js(browser, "document.querySelector('#envs-table tbody tr[data-env]')")
    assert browser.execute_script("return [...document.querySelectorAll('#envs-table tbody tr')].map(r => r.dataset.env)") == ["alpha-env"]
    assert visible(browser, "#env-form, .act-rotate, .act-delete") == 0
    browser.get(shared.lt.base + "#/admin/teams")
    wait_js(browser, "document.querySelector('#teams-table tbody tr[data-id]')")
    assert visible(browser, "#teams-table .act-delete") == 0
    assert visible(browser, "#team-form") == 1  # anyone may start a team


def test_a_team_admin_creates_an_environment_and_invites_someone(shared, browser):
    sign_in(browser, shared, CAROL, "#/admin/environments")
    wait_js(browser, "document.querySelector('#env-form')")
    browser.find_element(By.ID, "env-id").send_keys("alpha-prod")
    browser.find_element(By.ID, "env-name").send_keys("Alpha production")
    browser.find_element(By.CSS_SELECTOR, "#env-form button[type=submit]").click()
    wait_js(browser, "document.querySelector('#env-secret .ingest-key')", message="the ingest key")
    key = browser.find_element(By.CSS_SELECTOR, "#env-secret .ingest-key").text
    url = browser.find_element(By.CSS_SELECTOR, "#env-secret .proxy-url").text
    assert key and url == f"{shared.lt.base}proxy/alpha-prod:{key}/https/api.openai.com/v1"
    wait_js(browser, "document.querySelector('#envs-table tr[data-env=\"alpha-prod\"]')")
    # The key works, and is shown once: not after a reload.
    assert shared.chat("alpha-prod", "with the new key", key) == 200
    assert shared.chat("alpha-prod", "without it") == 401
    browser.refresh()
    wait_js(browser, "document.querySelector('#envs-table tr[data-env=\"alpha-prod\"]')")
    assert not browser.find_elements(By.ID, "env-secret")
    assert key not in browser.page_source
    # Rotating shows a new key once more.
    browser.find_element(By.CSS_SELECTOR, 'tr[data-env="alpha-prod"] .act-rotate').click()
    browser.switch_to.alert.accept()
    wait_js(browser, "document.querySelector('#env-secret .ingest-key')")
    rotated = browser.find_element(By.CSS_SELECTOR, "#env-secret .ingest-key").text
    assert rotated != key
    assert shared.chat("alpha-prod", "old key", key) == 401
    assert shared.chat("alpha-prod", "new key", rotated) == 200
    # Limiting the environment's upstreams: another port only, so the fake upstream is refused (403), then open again.
    assert browser.find_element(By.CSS_SELECTOR, 'tr[data-env="alpha-prod"] .env-upstreams').text == "server policy"
    browser.find_element(By.CSS_SELECTOR, 'tr[data-env="alpha-prod"] .act-upstreams').click()
    prompt = browser.switch_to.alert
    prompt.send_keys("127.0.0.1:1, *.openai.com")
    prompt.accept()
    wait_js(browser, "document.querySelector('tr[data-env=\"alpha-prod\"] code.env-upstreams')", message="the upstream list")
    assert browser.find_element(By.CSS_SELECTOR, 'tr[data-env="alpha-prod"] .env-upstreams').text == "127.0.0.1:1, *.openai.com"
    assert shared.chat("alpha-prod", "outside the list", rotated) == 403
    browser.find_element(By.CSS_SELECTOR, 'tr[data-env="alpha-prod"] .act-upstreams').click()
    prompt = browser.switch_to.alert
    prompt.send_keys(" ")
    prompt.accept()
    wait_js(browser, "document.querySelector('tr[data-env=\"alpha-prod\"] span.env-upstreams')", message="the cleared list")
    assert shared.chat("alpha-prod", "open again", rotated) == 200
    # An admin may not make owners: the invite offers member and admin only.
    browser.get(shared.lt.base + "#/admin/members")
    wait_js(browser, "document.querySelector('#invite-form')")
    roles = browser.execute_script("return [...document.querySelectorAll('#invite-role option')].map(o => o.value)")
    assert roles == ["member", "admin"]
    browser.find_element(By.ID, "invite-email").send_keys("dave@example.com")
    browser.find_element(By.CSS_SELECTOR, "#invite-form button[type=submit]").click()
    wait_js(browser, "document.querySelector('#invite-secret .invite-link')", message="the invitation link")
    link = browser.find_element(By.CSS_SELECTOR, "#invite-secret .invite-link").text
    assert link.startswith(shared.lt.base + "#/invite/")
    # The invitation link, opened in a browser with nobody signed in, sets the password and signs in.
    browser.find_element(By.ID, "signout").click()
    wait_js(browser, "document.querySelector('#signin-form')")
    browser.get(link)
    wait_js(browser, "document.querySelector('#accept-form')", message="the invitation page")
    browser.find_element(By.ID, "invite-name").send_keys("Dave")
    browser.find_element(By.ID, "invite-password").send_keys("dave-password")
    browser.find_element(By.ID, "invite-again").send_keys("dave-password")
    browser.find_element(By.CSS_SELECTOR, "#accept-form button[type=submit]").click()
    wait_js(browser, "!document.querySelector('#accept-form') && document.getElementById('who').textContent.startsWith('Dave')")
    wait_until(lambda: set(table_envs(browser)) == {"alpha-env", "alpha-prod"}, message="dave sees alpha's traffic")
    # Carol removes Dave, then restores him from the tombstones.
    sign_in(browser, shared, CAROL, "#/admin/members")
    wait_js(browser, "document.querySelector('tr[data-email=\"dave@example.com\"] .act-remove')")
    browser.find_element(By.CSS_SELECTOR, 'tr[data-email="dave@example.com"] .act-remove').click()
    browser.switch_to.alert.accept()
    wait_js(browser, "!document.querySelector('tr[data-email=\"dave@example.com\"]')")
    browser.find_element(By.ID, "show-deleted").click()
    wait_js(browser, "document.querySelector('tr[data-email=\"dave@example.com\"].is-deleted .act-restore')")
    browser.find_element(By.CSS_SELECTOR, 'tr[data-email="dave@example.com"] .act-restore').click()
    wait_js(browser, "document.querySelector('tr[data-email=\"dave@example.com\"]:not(.is-deleted)')")


def test_a_system_administrator_sees_every_team_the_users_and_the_audit_log(shared, browser):
    sign_in(browser, shared, ROOT, "#/admin/dashboard")
    wait_js(browser, "document.querySelector('#dash-envs')")
    envs = browser.execute_script("return [...document.querySelectorAll('#dash-envs tbody tr')].map(r => r.dataset.env)")
    assert {"alpha-env", "beta-env"} <= set(envs)
    browser.get(shared.lt.base + "#/admin/users")
    wait_js(browser, "document.querySelector('#users-table tbody tr[data-email]')")
    emails = browser.execute_script("return [...document.querySelectorAll('#users-table tbody tr')].map(r => r.dataset.email)")
    assert {ROOT[0], ALICE[0], BOB[0], CAROL[0]} <= set(emails)
    assert visible(browser, f'tr[data-email="{ROOT[0]}"] .act-sysadmin') == 0  # not one's own flag
    browser.find_element(By.CSS_SELECTOR, f'tr[data-email="{BOB[0]}"] .act-sysadmin').click()
    wait_js(browser, f"document.querySelector('tr[data-email=\"{BOB[0]}\"] .act-sysadmin').textContent === 'Remove system admin'")
    browser.find_element(By.CSS_SELECTOR, f'tr[data-email="{BOB[0]}"] .act-sysadmin').click()
    wait_js(browser, f"document.querySelector('tr[data-email=\"{BOB[0]}\"] .act-sysadmin').textContent === 'Make system admin'")
    browser.get(shared.lt.base + "#/admin/audit")
    wait_js(browser, "document.querySelector('#audit-table tbody tr[data-id]')")
    actions = browser.execute_script("return [...document.querySelectorAll('#audit-table tbody tr')].map(r => r.children[2].textContent)")
    assert "team.create" in actions
    browser.get(shared.lt.base + "#/admin/teams")
    wait_js(browser, "document.querySelector('#teams-table tbody tr[data-id]')")
    assert browser.execute_script("return document.querySelectorAll('#teams-table tbody tr').length") >= 2


def test_a_team_admin_adds_a_budget_rule_and_the_panel_shows_the_alert(shared, browser):
    sign_in(browser, shared, CAROL, "#/admin/alerts")
    wait_js(browser, "document.querySelector('#alert-form')")
    # Alpha has spent more than a millionth of a dollar this month already: the rule fires at the next check.
    browser.find_element(By.ID, "alert-window").send_keys("per month")
    browser.find_element(By.ID, "alert-limit").send_keys("0.000001")
    browser.find_element(By.CSS_SELECTOR, "#alert-form button[type=submit]").click()
    wait_js(browser, "document.querySelector('#alerts-table tbody tr[data-id]')", message="the new rule")
    cells = browser.execute_script("return [...document.querySelector('#alerts-table tbody tr[data-id]').children].map(td => td.textContent)")
    assert cells[:3] == ["alpha", "team", "per month"]
    banner = wait_js(browser, "document.querySelector('.alert-banner') && document.querySelector('.alert-banner .alert-text').textContent",
                     timeout=20, message="the alert banner")
    assert "alpha" in banner
    browser.find_element(By.CSS_SELECTOR, ".alert-banner button").click()
    wait_js(browser, "!document.querySelector('.alert-banner')")
    rule = shared.ok("GET", "admin/alerts")["items"][0]
    assert rule["firedAt"] and rule["limitUsd"] == 0.000001
    # A member of the team sees the rule but may not delete it or add one; beta's member does not see it.
    sign_in(browser, shared, ALICE, "#/admin/alerts")
    wait_js(browser, "document.querySelector('#alerts-table tbody tr[data-id]')")
    assert visible(browser, "#alert-form, #alerts-table .act-delete") == 0
    sign_in(browser, shared, BOB, "#/admin/alerts")
    wait_js(browser, "document.querySelector('#alerts-table .empty-row')")
    # Carol deletes it.
    sign_in(browser, shared, CAROL, "#/admin/alerts")
    wait_js(browser, "document.querySelector('#alerts-table .act-delete')")
    browser.find_element(By.CSS_SELECTOR, "#alerts-table .act-delete").click()
    browser.switch_to.alert.accept()
    wait_js(browser, "document.querySelector('#alerts-table .empty-row')")
    assert shared.ok("GET", "admin/alerts")["items"] == []


def test_a_member_sees_their_teams_sessions_and_replays_with_the_ingest_key(shared, browser):
    sign_in(browser, shared, BOB, "#/sessions?range=")
    beta = {s["id"] for s in shared.ok("GET", "api/sessions?env=beta-env")["items"]}
    assert beta
    wait_js(browser, "document.querySelectorAll('#session-rows tr').length === %d" % len(beta), message="Bob's sessions")
    rows = browser.execute_script("return [...document.querySelectorAll('#session-rows tr')].map(r => [r.dataset.id, r.querySelector('.c-env').textContent])")
    assert {r[0] for r in rows} == beta and {r[1] for r in rows} == {"beta-env"}
    # Another team's session is not found.
    alpha = shared.ok("GET", "api/sessions?env=alpha-env")["items"][0]["id"]
    browser.get(shared.lt.base + "#/sessions/" + alpha)
    wait_js(browser, "document.querySelector('.view-session .empty-title') && document.querySelector('.view-session .empty-title').textContent === 'Session not found'")

    # Replay through beta-env, which requires its ingest key: the form asks for it too.
    original = sorted(beta)[0]
    browser.get(shared.lt.base + "#/requests/" + original)
    wait_js(browser, "document.getElementById('replay')")
    browser.find_element(By.ID, "replay").click()
    wait_js(browser, "document.getElementById('replay-ingest')", message="the ingest key field")
    key = "sk-shared-replay-0123456789abcdefKEY"
    browser.find_element(By.ID, "replay-key").send_keys(key)
    browser.find_element(By.ID, "replay-send").click()
    wait_js(browser, "/llmtrace refused it \\(HTTP 401\\).*ingest key/.test(document.getElementById('replay-error').textContent)", message="the proxy's refusal, said")
    browser.find_element(By.ID, "replay-ingest").send_keys(shared.keys["beta-env"])
    seen = len(shared.upstream.requests)
    browser.find_element(By.ID, "replay-send").click()
    wait_js(browser, "document.getElementById('replay-compare')", timeout=15, message="the replay's answer")
    sent = shared.upstream.requests[seen]["headers"]
    assert sent["authorization"] == "Bearer " + key and "x-llmtrace-key" not in sent
    new_id = browser.execute_script("return document.querySelector('#replay-compare .replay-side:last-child').dataset.id")
    rec = shared.ok("GET", "api/requests/" + new_id)
    assert rec["replayOf"] == original and rec["env"] == "beta-env"
    stored = browser.execute_script("return JSON.stringify([{...localStorage}, {...sessionStorage}, location.href])")
    for secret in (key, shared.keys["beta-env"]):
        assert secret not in stored
        assert secret not in json.dumps(rec)
