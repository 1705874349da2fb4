// Sessions (#/sessions): agent runs and conversations, one row each with their totals, and one
// session's turns in order (#/sessions/{id}). Loaded on first use; read again (throttled) on live events.

import { api, live } from '../api.js';
import { h, clear, add, fmtInt, fmtCompact, fmtCost, fmtMs, fmtDateTime, timeParts, ago, inFlight, statusClass, isError, dash } from '../util.js';

const RANGES = [['1h', '1 h'], ['24h', '24 h'], ['7d', '7 d'], ['', 'All']];
const REFRESH_MS = 2000;

/**
 * A refresh for live events: `load` at most once per REFRESH_MS while they keep coming. A finished
 * exchange reaches the store a little after its event: `expect(key, seen)` names one that the next read
 * must show (`seen(data)` says whether it does), and the read is repeated (after 0.3 s, then a second
 * apart) until it does, ten times at most.
 */
function refresher(load) {
  let timer = null, last = 0, tries = 0;
  const waiting = new Map(); // key → seen(data)
  const run = () => { timer = null; last = Date.now(); load(); };
  const t = () => {
    if (!timer) timer = setTimeout(run, Math.max(0, last + REFRESH_MS - Date.now()));
  };
  t.expect = (key, seen) => { waiting.set(key, seen); tries = 0; t(); };
  /** After each read: drops what it showed; reads again later if anything is still missing. */
  t.loaded = (data) => {
    for (const [key, seen] of waiting) if (seen(data)) waiting.delete(key);
    if (!waiting.size || timer) return;
    if (++tries > 10) { waiting.clear(); return; }
    timer = setTimeout(run, tries === 1 ? 300 : 1000);
  };
  t.cancel = () => clearTimeout(timer);
  return t;
}

const wallMs = (s) => Math.max(0, Date.parse(s.lastActivityAt) - Date.parse(s.startedAt));
const sessionFilter = (id) => '~session "' + id.replace(/[\\"]/g, '\\$&') + '"';
const firstLine = (text) => (text || '').trim().split('\n')[0].slice(0, 300);
// The header cells set the column widths (the table's layout is fixed): classes as the body cells'.
const th = (cls, label) => h('th', { class: cls }, label);
const td = (cls, ...kids) => h('td', { class: cls }, ...kids);

function timeCell(iso, href) {
  const [hm, sec] = timeParts(iso);
  return td('c-time', h('a', { href, class: 'mono', title: fmtDateTime(iso) + ' · ' + ago(iso) }, hm, h('span', { class: 't-sec' }, sec)));
}

function tokensTitle(s) {
  return [s.cachedInputTokens ? `${fmtInt(s.cachedInputTokens)} cached` : '', s.reasoningTokens ? `${fmtInt(s.reasoningTokens)} reasoning` : ''].filter(Boolean).join(' · ');
}

/** Mounts the list, or one session when `id` is given; returns unmount. */
export function mountSessions(root, { id, params, navigate, backHash }) {
  return id ? mountSession(root, id, navigate, backHash) : mountList(root, params, navigate);
}

function mountList(root, params, navigate) {
  let env = params.get('env') || '';
  let range = params.get('range') ?? (sessionStorage.getItem('llmtrace.sessions.range') || '24h');
  if (!RANGES.some(([r]) => r === range)) range = '24h';
  const envs = new Set(env ? [env] : []);
  // Only sessions of more than one turn (agent runs and conversations, not single calls).
  let multi = params.get('multi') === '1';
  let destroyed = false, ctl = null, closeLive = null, items = null, shownList = null;

  const picker = h('div', { class: 'seg-toggle', role: 'group', 'aria-label': 'Time range', id: 'sessions-range' });
  const envSel = h('select', { class: 'input', id: 'sessions-env', 'aria-label': 'Environment' });
  const counts = h('div', { class: 'counts mono', id: 'sessions-counts' });
  const multiBox = h('input', { type: 'checkbox', id: 'sessions-multi' });
  multiBox.checked = multi;
  multiBox.addEventListener('change', () => { multi = multiBox.checked; load(); });
  const multiLabel = h('label', { class: 'muted small', title: 'Leave out single calls' }, multiBox, ' more than one turn');
  const tbody = h('tbody', { id: 'session-rows' });
  const table = h('table', { class: 'reqs sess', id: 'sessions-table' },
    h('thead', null, h('tr', null, th('c-time', 'Last active'), th('c-session', 'Session'), th('c-env', 'Env'), th('c-turns num', 'Turns'),
      th('c-in num', 'In'), th('c-out num', 'Out'), th('c-cost num', 'Cost'), th('c-dur num', 'Model time'), th('c-wall num', 'Wall clock'),
      th('c-models', 'Models'), th('c-errors num', 'Errors'))), tbody);
  const empty = h('div', { class: 'empty', hidden: true });
  const el = h('section', { class: 'view view-sessions' },
    h('div', { class: 'toolbar' }, h('h1', { class: 'view-title' }, 'Sessions'), picker, envSel, multiLabel, counts),
    h('div', { class: 'table-wrap' }, table, empty));
  root.append(el);

  tbody.addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-id]');
    if (!tr || e.target.closest('a') || String(window.getSelection() || '').length > 0) return;
    navigate('#/sessions/' + encodeURIComponent(tr.dataset.id));
  });
  envSel.addEventListener('change', () => { env = envSel.value; follow(); load(); });

  function syncHash() {
    const q = new URLSearchParams();
    if (env) q.set('env', env);
    if (range !== '24h') q.set('range', range);
    if (multi) q.set('multi', '1');
    const hash = '#/sessions' + (q.toString() ? '?' + q : '');
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  function drawControls() {
    clear(picker);
    for (const [r, label] of RANGES) {
      picker.append(h('button', { type: 'button', class: r === range ? 'on' : '', dataset: { range: r }, onclick: () => {
        range = r;
        sessionStorage.setItem('llmtrace.sessions.range', r);
        drawControls();
        load();
      } }, label));
    }
    add(clear(envSel), h('option', { value: '' }, 'All environments'), [...envs].sort().map((e) => h('option', { value: e }, e)));
    envSel.value = env;
  }

  function row(s) {
    const href = '#/sessions/' + encodeURIComponent(s.id);
    return h('tr', { dataset: { id: s.id }, class: 'row' + (s.errors ? ' is-error' : '') },
      timeCell(s.lastActivityAt, href),
      td('c-session', h('a', { href, class: 'mono', title: s.id }, s.id)),
      td('c-env', h('span', { class: 'env-chip' }, s.env)),
      td('c-turns num mono', fmtInt(s.turns)),
      td('c-in num mono', h('span', { title: tokensTitle(s) }, fmtCompact(s.inputTokens))),
      td('c-out num mono', fmtCompact(s.outputTokens)),
      td('c-cost num mono', fmtCost(s.cost)),
      td('c-dur num mono', fmtMs(s.durationMs)),
      td('c-wall num mono', fmtMs(wallMs(s))),
      td('c-models', h('span', { class: 'mono faint-2', title: s.models.join(', ') }, s.models.join(', ') || dash)),
      td('c-errors num mono' + (s.errors ? ' err-text' : ' faint'), fmtInt(s.errors)));
  }

  function render() {
    clear(tbody).append(...items.map(row));
    const cost = items.reduce((a, s) => a + (s.cost || 0), 0);
    add(clear(counts), `${fmtInt(items.length)} session${items.length === 1 ? '' : 's'}`, items.length ? ` · ${fmtCost(cost)}` : null);
    empty.hidden = items.length > 0;
    clear(empty);
    if (items.length) return;
    if (env || range) {
      empty.append(h('div', { class: 'empty-title' }, 'No sessions here'),
        h('div', { class: 'muted' }, `None in ${env ? 'the environment ' + env : 'any environment'}${range ? ' in the last ' + range : ''}. New sessions appear as their calls arrive.`));
      return;
    }
    const base = new URL('proxy/dev/https/api.openai.com/v1', document.baseURI).toString();
    const named = new URL('proxy/dev+run-42/https/api.openai.com/v1', document.baseURI).toString();
    empty.append(h('div', { class: 'empty-title' }, 'No sessions yet'),
      h('div', { class: 'muted' }, 'A session is an agent run or a conversation: all its calls in one row, with their tokens and cost. Calls join one'),
      h('ul', { class: 'how-list muted' },
        h('li', null, h('b', null, 'automatically'), ': a chat request that repeats an earlier request\u2019s messages and adds to them continues its session (', h('span', { class: 'mono' }, base), ');'),
        h('li', null, h('b', null, 'by header'), ': ', h('span', { class: 'mono' }, 'x-llmtrace-session: run-42'), ';'),
        h('li', null, h('b', null, 'in the base URL'), ': ', h('span', { class: 'mono' }, named), '.')));
  }

  async function load() {
    syncHash();
    if (ctl) ctl.abort();
    const c = (ctl = new AbortController());
    el.classList.add('is-loading');
    try {
      const page = await api('api/sessions', { params: { env: env || undefined, since: range || undefined, minTurns: multi ? 2 : undefined, limit: 500 }, signal: c.signal });
      if (destroyed || ctl !== c) return;
      const fresh = page.items || [];
      // Redraw only what changed: rows replaced under the pointer would swallow a click.
      const text = JSON.stringify([env, range, multi, fresh]);
      if (text !== shownList) {
        shownList = text;
        items = fresh;
        const known = envs.size;
        for (const s of items) envs.add(s.env);
        if (envs.size !== known) drawControls();
        render();
      }
      refresh.loaded(fresh);
    } catch (e) {
      if (e.name === 'AbortError' || destroyed || e.status === 401) return;
      add(clear(tbody), h('tr', null, h('td', { colspan: '11', class: 'err-text' }, e.message)));
    } finally {
      if (ctl === c) el.classList.remove('is-loading');
    }
  }

  const refresh = refresher(load);
  function follow() {
    if (closeLive) closeLive();
    closeLive = live({ env: env || undefined }, {
      onEvent(name, data) {
        if (name === 'request.completed' && data.sessionId) {
          // The list holds finished turns only: a session shows this one once its last activity is past its start.
          const start = Date.parse(data.startedAt);
          refresh.expect(data.sessionId, (list) => list.some((s) => s.id === data.sessionId && Date.parse(s.lastActivityAt) >= start));
        } else if (name === 'cleared' || name === 'resync') refresh();
      },
      onOpen(again) { if (again) refresh(); },
    });
  }

  drawControls();
  load().then(() => { if (!destroyed) follow(); });
  return () => {
    destroyed = true;
    refresh.cancel();
    if (ctl) ctl.abort();
    if (closeLive) closeLive();
    el.remove();
  };
}

function mountSession(root, id, navigate, backHash) {
  let destroyed = false, closeLive = null, seq = 0, shown = null;
  const el = h('section', { class: 'view view-session' }, h('div', { class: 'loading' }, 'Loading…'));
  root.append(el);

  function card(cid, label, value, sub) {
    return h('div', { class: 'stat-card', id: cid }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value mono' }, value),
      sub ? h('div', { class: 'stat-sub muted' }, sub) : null);
  }

  function turnRow(r) {
    const href = '#/requests/' + encodeURIComponent(r.id);
    const u = r.usage || {};
    const live = inFlight(r);
    const answer = r.error ? h('span', { class: 'err-text' }, `${r.error.type || 'error'}: ${r.error.message || ''}`)
      : [(r.toolCalls || []).length ? h('span', { class: 'tool-chip' }, '⚙ ' + r.toolCalls.map((t) => (t.name || 'tool') + '()').join(', ')) : null, firstLine(r.text)];
    return h('tr', { dataset: { id: r.id }, class: 'row' + (isError(r) ? ' is-error' : '') + (live ? ' is-live' : '') },
      td('c-turn num mono', r.turn != null ? String(r.turn) : dash),
      timeCell(r.startedAt, href),
      td('c-model', h('span', { class: 'mono model', title: r.model || '' }, r.model || dash),
        r.replayOf ? h('span', { class: 'chip replay-chip', title: 'a replay of ' + r.replayOf }, 'replay') : null),
      td('c-in num mono', fmtInt(u.inputTokens), u.cachedInputTokens ? h('span', { class: 'cached-dot', title: `${fmtInt(u.cachedInputTokens)} cached` }, '•') : null),
      td('c-out num mono', fmtInt(u.outputTokens)),
      td('c-cost num mono', fmtCost(r.estimatedCost)),
      td('c-dur num mono', live ? h('span', { class: 'spinner' }) : fmtMs(r.durationMs)),
      td('c-status', h('span', { class: 'status st-' + statusClass(r) }, r.status != null ? String(r.status) : r.error ? 'ERR' : live ? '…' : dash)),
      td('c-preview', h('span', { class: 'preview-text' }, answer)));
  }

  function render({ session: s, turns }) {
    const scroll = window.scrollY;
    const back = h('a', { href: backHash || '#/sessions', class: 'back' }, '← Sessions');
    const tbody = h('tbody', { id: 'turn-rows' }, turns.map(turnRow));
    tbody.addEventListener('click', (e) => {
      const tr = e.target.closest('tr[data-id]');
      if (!tr || e.target.closest('a') || String(window.getSelection() || '').length > 0) return;
      navigate('#/requests/' + encodeURIComponent(tr.dataset.id));
    });
    add(clear(el),
      h('div', { class: 'detail-head' }, back,
        h('div', { class: 'detail-title' }, h('h1', { class: 'mono', id: 'session-id' }, s.id),
          h('div', { class: 'detail-sub' }, h('span', { class: 'env-chip' }, s.env), s.models.map((m) => h('span', { class: 'chip mono' }, m)),
            h('span', { class: 'faint small', title: fmtDateTime(s.startedAt) + ' → ' + fmtDateTime(s.lastActivityAt) },
              `${fmtDateTime(s.startedAt)} → ${timeParts(s.lastActivityAt).slice(0, 2).join('')} · active ${ago(s.lastActivityAt)}`))),
        h('div', { class: 'actions' }, h('a', { class: 'btn', href: '#/requests?filter=' + encodeURIComponent(sessionFilter(s.id)), title: 'These turns in the requests table' }, 'As requests'))),
      h('div', { class: 'stat-cards', id: 'session-totals', dataset: { turns: s.turns, input: s.inputTokens ?? '', output: s.outputTokens ?? '', cost: s.cost ?? '' } },
        card('sess-turns', 'Turns', fmtInt(s.turns), s.errors ? h('span', { class: 'err-text' }, `${fmtInt(s.errors)} failed`) : 'none failed'),
        card('sess-tokens', 'Tokens', fmtCompact(s.totalTokens), `${fmtCompact(s.inputTokens)} in · ${fmtCompact(s.outputTokens)} out` + (s.cachedInputTokens ? ` · ${fmtCompact(s.cachedInputTokens)} cached` : '')),
        card('sess-cost', 'Cost', fmtCost(s.cost), s.turns ? `${fmtCost(s.cost == null ? null : s.cost / s.turns)} a turn` : ''),
        card('sess-model-time', 'Model time', fmtMs(s.durationMs), 'the turns\u2019 durations summed'),
        card('sess-wall', 'Wall clock', fmtMs(wallMs(s)), 'first start → last activity')),
      h('div', { class: 'table-wrap' }, h('table', { class: 'reqs turns', id: 'turns-table' },
        h('thead', null, h('tr', null, th('c-turn num', 'Turn'), th('c-time', 'Time'), th('c-model', 'Model'), th('c-in num', 'In'), th('c-out num', 'Out'),
          th('c-cost num', 'Cost'), th('c-dur num', 'Duration'), th('c-status', 'Status'), th('c-preview', 'Answer'))),
        tbody)),
      turns.length < s.turns ? h('div', { class: 'faint small table-footer' }, `The newest ${fmtInt(turns.length)} of ${fmtInt(s.turns)} turns.`) : null);
    window.scrollTo(0, scroll);
  }

  async function load() {
    const mine = ++seq;
    try {
      const d = await api('api/sessions/' + encodeURIComponent(id));
      if (destroyed || mine !== seq) return;
      document.title = `${id} · Sessions · llmtrace`;
      // Redraw only what changed: rows replaced under the pointer would swallow a click.
      const text = JSON.stringify(d);
      if (text !== shown) {
        shown = text;
        render(d);
      }
      refresh.loaded(d.turns);
    } catch (e) {
      if (destroyed || e.status === 401 || mine !== seq) return;
      add(clear(el), h('div', { class: 'empty' },
        h('div', { class: 'empty-title' }, e.status === 404 ? 'Session not found' : 'Could not load this session'),
        h('div', { class: 'muted' }, e.message), h('a', { href: '#/sessions', class: 'btn' }, '← All sessions')));
    }
  }

  const refresh = refresher(load);
  load().then(() => {
    if (destroyed) return;
    closeLive = live({ filter: sessionFilter(id) }, {
      onEvent(name, data) {
        if (name === 'request.completed') refresh.expect(data.id, (turns) => turns.some((r) => r.id === data.id && !inFlight(r)));
        else if (name !== 'request.delta') refresh();
      },
      onOpen(again) { if (again) refresh(); },
    });
  });
  return () => {
    destroyed = true;
    refresh.cancel();
    if (closeLive) closeLive();
    el.remove();
  };
}
