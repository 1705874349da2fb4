// The live request table (#/requests): filter box, rows arriving over /api/events, paging back.

import { api, fetchBlob, live, ApiError } from '../api.js';
import { h, clear, add, fmtInt, fmtCost, fmtMs, timeParts, fmtDateTime, inFlight, statusClass, debounce, dash, toast } from '../util.js';
import { liveText, track } from '../store.js';

const PAGE = 100;
// Rows kept while live traffic pours in; beyond MAX (and scrolled to the top) the oldest are dropped
// down to KEEP, and "Load older" continues from there.
const MAX_ROWS = 3000;
const KEEP_ROWS = 2000;

const EXAMPLES = [
  ['~m gpt-4o ~err', 'gpt-4o requests that failed'],
  ['~p anthropic ~tok>10000', 'Anthropic, over 10 000 tokens'],
  ['!~done', 'still streaming or cut off'],
  ['~s 5xx | ~ms>30000', 'server errors or slower than 30 s'],
  ['~cost>0.05', 'more than 5 cents'],
  ['~e prod ~stream', 'streams in the prod environment'],
  ['"rate limit"', 'a phrase in path, model, text or error'],
];

const COLUMNS = [
  ['time', 'Time'], ['env', 'Env'], ['provider', 'Provider'], ['model', 'Model'], ['endpoint', 'Endpoint'],
  ['status', 'Status'], ['dur num', 'Duration'], ['ttft num', 'TTFT'], ['in num', 'In'], ['out num', 'Out'],
  ['cost num', 'Cost'], ['preview', 'Response'],
];

const EXPORT_FORMATS = [['csv', 'CSV'], ['json', 'JSON'], ['jsonl', 'JSONL']];

/** `llmtrace-export-20261129-143005.csv`: the local time now, as `llmtrace export` users name files. */
export function exportFileName(format, now = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  const day = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}`;
  return `llmtrace-export-${day}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}.${format}`;
}

/** 950 B, 12.3 kB, 4.5 MB */
function fmtBytes(n) {
  if (n < 1000) return n + ' B';
  if (n < 1e6) return (n / 1e3).toFixed(1) + ' kB';
  return (n / 1e6).toFixed(1) + ' MB';
}

/** Where the server's invalid_filter error points: {start, length} in UTF-16 units, or null. */
function errorSpan(err, text) {
  const e = (err.body && err.body.error) || {};
  if (Number.isInteger(e.utf16Position)) return { start: e.utf16Position, length: e.utf16Length || 0 };
  const m = /\(at column (\d+)\)\s*$/.exec(err.message || '');
  if (!m) return null;
  const start = Math.min(Number(m[1]) - 1, text.length);
  // Mark the word that starts there (the server's message names it).
  const rest = text.slice(start);
  const w = /^[^\s()|&]*/.exec(rest)[0];
  return { start, length: w.length };
}

export function createRequestsView(root, { navigate, initialFilter, onFilter }) {
  const rows = new Map(); // id → {data, tr}
  let order = []; // ids, newest first
  let nextCursor = null;
  let olderUntil = null; // after trimming: load older rows before this time
  const liveIds = new Set();
  let filter = initialFilter || '';
  let closeLive = null;
  let loading = null; // AbortController of the list request in progress
  let queued = null; // events that arrived while a reload was in progress
  let tick = null;
  let visible = false;
  let destroyed = false;

  // --- DOM ---------------------------------------------------------------------------------------
  const input = h('input', {
    class: 'filter-input', id: 'filter', type: 'search', spellcheck: 'false', autocomplete: 'off',
    placeholder: 'Filter — ~m gpt-4o  ~err  ~tok>1000  "rate limit"   (press /)', 'aria-label': 'Filter requests',
    value: filter,
  });
  const errorBox = h('div', { class: 'filter-error', id: 'filter-error', role: 'alert', hidden: true });
  const helpBox = h('div', { class: 'filter-help', hidden: true },
    h('div', { class: 'filter-help-title' }, 'Filter language — click an example'),
    h('ul', null, EXAMPLES.map(([f, d]) => h('li', null,
      h('button', { type: 'button', class: 'linkish mono', onclick: () => { input.value = f; helpBox.hidden = true; apply(f); } }, f),
      h('span', { class: 'muted' }, ' ' + d)))),
    h('div', { class: 'muted small' }, 'Operators: ~m ~e ~p ~h ~session ~s ~err ~stream ~done ~tok ~in ~out ~cost ~ms ~ttft — combine with ! & | ( )'));
  const helpBtn = h('button', { type: 'button', class: 'btn ghost icon', title: 'Filter help', 'aria-label': 'Filter help', onclick: () => { helpBox.hidden = !helpBox.hidden; } }, '?');
  const counts = h('div', { class: 'counts mono', id: 'counts' });
  const tbody = h('tbody', { id: 'rows' });
  const table = h('table', { class: 'reqs', id: 'requests-table' },
    h('thead', null, h('tr', null, COLUMNS.map(([c, t]) => h('th', { class: 'c-' + c.split(' ')[0] + (c.includes('num') ? ' num' : '') }, t)))),
    tbody);
  const empty = h('div', { class: 'empty', hidden: true });
  const olderBtn = h('button', { type: 'button', class: 'btn', id: 'load-older', hidden: true, onclick: loadOlder }, 'Load older');
  const footer = h('div', { class: 'table-footer' }, olderBtn);
  const exportButtons = EXPORT_FORMATS.map(([format, label]) => h('button', {
    type: 'button', id: 'export-' + format, dataset: { format },
    title: `Download every request the filter matches as ${label} (not only the rows shown)`,
    onclick: () => exportAs(format),
  }, label));
  const exportGroup = h('div', { class: 'seg-toggle export-group', id: 'export', role: 'group', 'aria-label': 'Export the filtered requests' },
    h('span', { class: 'seg-label' }, '⤓ Export'), exportButtons);

  const el = h('section', { class: 'view view-requests' },
    h('div', { class: 'toolbar' },
      h('div', { class: 'filter-wrap' }, h('span', { class: 'filter-icon', 'aria-hidden': 'true' }, '⌕'), input, helpBtn),
      counts, exportGroup),
    errorBox, helpBox,
    h('div', { class: 'table-wrap' }, table, empty),
    footer);
  root.append(el);

  const debounced = debounce(() => apply(input.value), 280);
  input.addEventListener('input', debounced);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { debounced.cancel(); apply(input.value); }
    if (e.key === 'Escape') { if (input.value) { input.value = ''; apply(''); } else input.blur(); }
  });

  tbody.addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-id]');
    if (!tr) return;
    if (e.target.closest('a')) return; // the link handles itself (and middle/ctrl-click)
    if (String(window.getSelection() || '').length > 0) return;
    navigate('#/requests/' + encodeURIComponent(tr.dataset.id));
  });

  // --- rows --------------------------------------------------------------------------------------
  function cell(cls, ...kids) { return h('td', { class: 'c-' + cls }, ...kids); }

  function previewOf(r) {
    if (r.error) return h('span', { class: 'err-text' }, (r.error.type ? r.error.type + ': ' : '') + (r.error.message || ''));
    const calls = (r.toolCalls || []).map((t) => (t.name || 'tool') + '()');
    const text = r.text || liveText.get(r.id) || '';
    const parts = [];
    if (calls.length) parts.push(h('span', { class: 'tool-chip' }, '⚙ ' + calls.join(', ')));
    if (text) parts.push(text.slice(0, 400).replace(/\s+/g, ' ').slice(0, 300));
    if (!parts.length) return h('span', { class: 'faint' }, inFlight(r) ? 'waiting…' : '');
    return parts;
  }

  function statusCell(r) {
    const cls = statusClass(r);
    const label = r.status != null ? String(r.status) : r.error ? 'ERR' : '';
    const kids = [];
    if (cls === 'live') kids.push(h('span', { class: 'spinner', 'aria-label': 'in flight' }));
    // In flight: "streaming" once the head said so (the code is in the tooltip), else the code, else "waiting".
    if (cls === 'live' && r.stream && r.status != null) kids.push(h('span', { class: 'live-word' }, 'streaming'));
    else if (label) kids.push(label);
    else if (cls === 'live') kids.push(h('span', { class: 'live-word' }, 'waiting'));
    const title = r.error ? `${r.error.type}: ${r.error.message}` : cls === 'live' && r.status != null ? `${r.status}, in flight` : '';
    const td = cell('status', h('span', { class: 'status st-' + cls, title }, kids));
    if (r.stream) td.append(h('span', { class: 'stream-mark', title: 'streamed' }, '≋'));
    return td;
  }

  function fill(tr, r) {
    clear(tr);
    const [hm, sec, ms] = timeParts(r.startedAt);
    const live = inFlight(r);
    tr.classList.add('row');
    tr.classList.toggle('is-live', live);
    tr.classList.toggle('is-error', !!(r.error || r.status >= 400));
    const u = r.usage || {};
    const href = '#/requests/' + encodeURIComponent(r.id);
    tr.append(
      cell('time', h('a', { href, title: fmtDateTime(r.startedAt) + ' · ' + r.id, class: 'mono' }, hm, h('span', { class: 't-sec' }, sec), h('span', { class: 'faint t-ms' }, ms))),
      cell('env', h('span', { class: 'env-chip' }, r.env || dash)),
      cell('provider', r.provider || h('span', { class: 'faint' }, dash)),
      cell('model', h('span', { class: 'mono model', title: r.model || '' }, r.model || dash)),
      cell('endpoint', h('span', { class: 'mono faint-2', title: `${r.method} ${r.path}` }, r.endpoint || r.path || dash)),
      statusCell(r),
      h('td', { class: 'c-dur num mono' + (live ? ' ticking' : '') }, live ? fmtMs(Date.now() - Date.parse(r.startedAt)) : fmtMs(r.durationMs)),
      h('td', { class: 'c-ttft num mono' }, fmtMs(r.ttftMs)),
      h('td', { class: 'c-in num mono', title: u.cachedInputTokens ? `${fmtInt(u.cachedInputTokens)} cached` : '' }, fmtInt(u.inputTokens),
        u.cachedInputTokens ? h('span', { class: 'cached-dot', 'aria-hidden': 'true' }, '•') : null),
      h('td', { class: 'c-out num mono' }, fmtInt(u.outputTokens)),
      h('td', { class: 'c-cost num mono' }, fmtCost(r.estimatedCost)),
      cell('preview', h('span', { class: 'preview-text' }, previewOf(r))),
    );
  }

  function makeRow(r) {
    const tr = h('tr', { dataset: { id: r.id } });
    fill(tr, r);
    return tr;
  }

  /** Inserts or updates a summary; never lets an older "started" replace a finished one. */
  function upsert(r, { flash = false } = {}) {
    const have = rows.get(r.id);
    if (inFlight(r)) liveIds.add(r.id);
    else liveIds.delete(r.id);
    if (have) {
      if (!inFlight(have.data) && inFlight(r)) { liveIds.delete(r.id); return; }
      have.data = r;
      fill(have.tr, r);
      return;
    }
    const tr = makeRow(r);
    if (flash) tr.classList.add('flash');
    rows.set(r.id, { data: r, tr });
    // ids sort in arrival order: newest first.
    let i = 0;
    if (order.length && r.id < order[0]) {
      let lo = 0, hi = order.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (order[mid] > r.id) lo = mid + 1; else hi = mid; }
      i = lo;
    }
    order.splice(i, 0, r.id);
    const before = i + 1 < order.length ? rows.get(order[i + 1]).tr : null;
    tbody.insertBefore(tr, before);
    if (flash && rows.size > MAX_ROWS && window.scrollY < 400 && visible) trim();
  }

  function trim() {
    const drop = order.splice(KEEP_ROWS);
    for (const id of drop) {
      const row = rows.get(id);
      if (row) row.tr.remove();
      rows.delete(id);
      liveIds.delete(id);
    }
    olderUntil = rows.get(order[order.length - 1]).data.startedAt;
    nextCursor = null;
  }

  function resetRows() {
    rows.clear();
    liveIds.clear();
    order = [];
    olderUntil = null;
    clear(tbody);
  }

  let emptyShown = null;
  function updateChrome() {
    const liveN = liveIds.size;
    const more = !!(nextCursor || olderUntil);
    add(clear(counts),
      h('span', null, fmtInt(rows.size) + (more ? '+' : '') + ' shown'),
      liveN ? h('span', { class: 'live-count' }, h('span', { class: 'spinner' }), ` ${liveN} in flight`) : null);
    olderBtn.hidden = !more;
    empty.hidden = rows.size > 0 || !!loading;
    const emptyKind = empty.hidden ? null : filter.trim() ? 'filter' : 'none';
    if (emptyKind !== emptyShown && (emptyShown = emptyKind)) {
      clear(empty);
      if (filter.trim()) {
        empty.append(h('div', { class: 'empty-title' }, 'No requests match this filter'),
          h('div', { class: 'muted' }, 'New matching requests appear here as they arrive.'));
      } else {
        const base = new URL('proxy/dev/https/api.openai.com/v1', document.baseURI).toString();
        empty.append(h('div', { class: 'empty-title' }, 'Waiting for traffic'),
          h('div', { class: 'muted' }, 'Point a client at llmtrace — requests show up here live:'),
          h('pre', { class: 'code' }, 'export OPENAI_BASE_URL=' + base));
      }
    }
    // Tick durations of in-flight rows.
    if (liveN && !tick) tick = setInterval(tickLive, 200);
    if (!liveN && tick) { clearInterval(tick); tick = null; }
  }

  function tickLive() {
    if (!visible) return;
    for (const id of liveIds) {
      const row = rows.get(id);
      const td = row && row.tr.querySelector('.c-dur');
      if (td) td.textContent = fmtMs(Date.now() - Date.parse(row.data.startedAt));
    }
  }

  // --- loading -----------------------------------------------------------------------------------
  function showFilterError(err, text) {
    input.classList.add('invalid');
    clear(errorBox);
    errorBox.hidden = false;
    const span = errorSpan(err, text);
    const msg = (err.message || 'invalid filter').replace(/\s*\(at column \d+\)\s*$/, '');
    errorBox.append(h('span', { class: 'filter-error-msg' }, msg));
    if (span && text) {
      const a = text.slice(0, span.start), b = text.slice(span.start, span.start + span.length), c = text.slice(span.start + span.length);
      errorBox.append(h('code', { class: 'filter-error-where' }, a, h('mark', null, b || ' '), c));
    }
  }
  function clearFilterError() {
    input.classList.remove('invalid');
    errorBox.hidden = true;
    clear(errorBox);
  }

  /** Reads the newest page again (first load, new filter, resync, reconnect). Throws the API's error. */
  async function reload() {
    if (loading) loading.abort();
    const ctl = new AbortController();
    loading = ctl;
    queued = [];
    el.classList.add('is-loading');
    try {
      const page = await api('api/requests', { params: { limit: PAGE, filter: filter.trim() || undefined }, signal: ctl.signal });
      if (loading !== ctl || destroyed) return false;
      resetRows();
      for (const r of page.items || []) upsert(r);
      nextCursor = page.nextCursor || null;
      const q = queued;
      queued = null;
      loading = null;
      for (const [name, data] of q) handleEvent(name, data);
      return true;
    } catch (e) {
      if (e.name === 'AbortError') return false;
      if (loading === ctl) { loading = null; queued = null; }
      throw e;
    } finally {
      if (loading === null) el.classList.remove('is-loading');
      if (!destroyed) updateChrome();
    }
  }
  const reloadQuietly = () => reload().catch((e) => { if (e.status !== 401 && !destroyed) showBanner(e.message); });

  let banner = null;
  function showBanner(msg) {
    if (banner) banner.remove();
    banner = h('div', { class: 'banner error' }, msg);
    el.insertBefore(banner, el.children[1]);
    setTimeout(() => { if (banner) { banner.remove(); banner = null; } }, 6000);
  }

  async function loadOlder() {
    if (!nextCursor && !olderUntil) return;
    olderBtn.disabled = true;
    olderBtn.textContent = 'Loading…';
    try {
      const page = await api('api/requests', { params: { limit: PAGE, cursor: nextCursor, until: olderUntil, filter: filter.trim() || undefined } });
      olderUntil = page.nextCursor ? olderUntil : null;
      for (const r of page.items || []) upsert(r);
      nextCursor = page.nextCursor || null;
    } catch (e) {
      if (e.status !== 401) showBanner(e.message);
    } finally {
      olderBtn.disabled = false;
      olderBtn.textContent = 'Load older';
      updateChrome();
    }
  }

  /**
   * Downloads every request the filter in force matches (GET /api/export, streamed by the server) as a
   * file. Fetched with the panel's password or access token, then saved from a Blob: a plain link could
   * not send the Authorization header, and the password must not go in a URL.
   */
  let exporting = null;
  async function exportAs(format) {
    if (exporting) return;
    const button = exportButtons.find((b) => b.dataset.format === format);
    exporting = new AbortController();
    for (const b of exportButtons) b.disabled = true;
    button.classList.add('on');
    button.textContent = 'Exporting…';
    try {
      const blob = await fetchBlob('api/export', {
        params: { format, filter: filter.trim() || undefined },
        signal: exporting.signal,
        onProgress: (bytes) => { button.textContent = fmtBytes(bytes); },
      });
      const name = exportFileName(format);
      const a = h('a', { href: URL.createObjectURL(blob), download: name, hidden: true });
      document.body.append(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      toast(`Exported ${fmtBytes(blob.size)} to ${name}`);
    } catch (e) {
      if (e.name !== 'AbortError' && e.status !== 401 && !destroyed) showBanner('Export failed: ' + e.message);
    } finally {
      exporting = null;
      button.classList.remove('on');
      button.textContent = EXPORT_FORMATS.find(([f]) => f === format)[1];
      for (const b of exportButtons) b.disabled = false;
    }
  }

  function handleEvent(name, data) {
    if (queued && name !== 'cleared' && name !== 'resync') { queued.push([name, data]); return; }
    switch (name) {
      case 'request.started':
        upsert(data, { flash: true });
        break;
      case 'request.updated':
        // What became known in flight (provider, model, status): new under a filter it now matches.
        upsert(data, { flash: !rows.has(data.id) });
        break;
      case 'request.delta': {
        const row = rows.get(data.id);
        if (row && !row.data.error) {
          const pv = row.tr.querySelector('.preview-text');
          const shown = liveText.get(data.id) || '';
          // The preview shows the start of the answer: once it is full, later deltas change nothing.
          if (pv && shown.length - (data.text || '').length < 400) add(clear(pv), previewOf(row.data));
        }
        return;
      }
      case 'request.completed':
        upsert(data, { flash: !rows.has(data.id) });
        break;
      case 'cleared':
        resetRows();
        nextCursor = null;
        if (loading) reloadQuietly(); // the page being read may predate the clear
        break;
      case 'resync':
        reloadQuietly();
        return;
      default:
        return;
    }
    updateChrome();
  }

  function connect() {
    if (closeLive) closeLive();
    closeLive = live({ filter: filter.trim() || undefined }, {
      onEvent: (name, data, id) => { track(name, data, id); handleEvent(name, data); },
      onOpen: (again) => { if (again) reloadQuietly(); },
    });
  }

  /** Applies a new filter: the server validates it; on error the table keeps its rows. */
  async function apply(text) {
    const prev = filter;
    filter = text;
    let ok;
    try {
      ok = await reload();
    } catch (e) {
      filter = prev;
      if (destroyed) return;
      if (e instanceof ApiError && e.type === 'invalid_filter') showFilterError(e, text);
      else if (e.status !== 401) showBanner(e.message);
      return;
    }
    if (!ok || destroyed) return;
    clearFilterError();
    if (prev.trim() !== text.trim() || !closeLive) connect();
    const hash = text.trim() ? '#/requests?filter=' + encodeURIComponent(text) : '#/requests';
    if (location.hash !== hash && (location.hash.startsWith('#/requests') || !location.hash || location.hash === '#/')) {
      history.replaceState(null, '', hash);
      if (onFilter) onFilter(hash, text.trim());
    }
  }

  function onKey(e) {
    if (!visible) return;
    if (e.key === '/' && document.activeElement !== input && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName || '')) {
      e.preventDefault();
      input.focus();
      input.select();
    }
  }
  document.addEventListener('keydown', onKey);

  apply(filter);

  return {
    el,
    show(params) {
      visible = true;
      el.hidden = false;
      const f = params.get('filter') || '';
      if (f !== filter) { input.value = f; apply(f); }
    },
    hide() { visible = false; el.hidden = true; },
    destroy() {
      destroyed = true;
      if (closeLive) closeLive();
      if (tick) clearInterval(tick);
      if (loading) loading.abort();
      if (exporting) exporting.abort();
      document.removeEventListener('keydown', onKey);
      el.remove();
    },
  };
}
