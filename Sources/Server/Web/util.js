// DOM building and number formatting. Everything shown goes through text nodes: no innerHTML with data.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(el, kids) {
  for (const k of kids) {
    if (k == null || k === false) continue;
    if (Array.isArray(k)) append(el, k);
    else el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
}

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') el.setAttribute('class', v);
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' || k === 'checked' || k === 'disabled') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

/** h('div', {class: 'x'}, 'text', child…) → an element; strings become text nodes. */
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, kids);
  return el;
}

/** The same for SVG elements. */
export function s(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, kids);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export const dash = '—';

const intFmt = new Intl.NumberFormat('en-US');

export function fmtInt(n) {
  return n == null ? dash : intFmt.format(Math.round(n));
}

/** 950, 1.2k, 34k, 1.5M */
export function fmtCompact(n) {
  if (n == null) return dash;
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n * 100) / 100);
  if (a < 1e6) return (n / 1e3).toFixed(a < 1e4 ? 1 : 0).replace(/\.0$/, '') + 'k';
  if (a < 1e9) return (n / 1e6).toFixed(a < 1e7 ? 1 : 0).replace(/\.0$/, '') + 'M';
  return (n / 1e9).toFixed(1).replace(/\.0$/, '') + 'B';
}

/** Dollars with sensible precision: $12.30, $0.042, $0.00033; null → — (unknown is never $0). */
export function fmtCost(c) {
  if (c == null) return dash;
  if (c === 0) return '$0';
  const a = Math.abs(c);
  if (a >= 100) return '$' + c.toFixed(0);
  if (a >= 0.1) return '$' + c.toFixed(2);
  if (a >= 0.01) return '$' + c.toFixed(3);
  const digits = Math.min(10, 1 - Math.floor(Math.log10(a)));
  return '$' + c.toFixed(digits);
}

export function fmtMs(ms) {
  if (ms == null) return dash;
  if (ms < 10) return ms.toFixed(1) + ' ms';
  if (ms < 1000) return Math.round(ms) + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
  if (ms >= 3600000) return `${Math.floor(ms / 3600000)}h ${String(Math.floor((ms % 3600000) / 60000)).padStart(2, '0')}m`;
  const m = Math.floor(ms / 60000);
  const sec = Math.floor((ms % 60000) / 1000);
  return `${m}m ${String(sec).padStart(2, '0')}s`;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Parts of a local time: ['13:02', ':11', '.123'], or ['Nov 28', ' 13:02', ''] for other days. */
export function timeParts(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return [iso || dash, '', ''];
  const now = new Date();
  if (d.toDateString() !== now.toDateString()) return [`${MONTHS[d.getMonth()]} ${d.getDate()}`, ` ${pad(d.getHours())}:${pad(d.getMinutes())}`, ''];
  return [`${pad(d.getHours())}:${pad(d.getMinutes())}`, ':' + pad(d.getSeconds()), '.' + pad(d.getMilliseconds(), 3)];
}

export function fmtDateTime(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return iso || dash;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function ago(iso) {
  const sec = (Date.now() - new Date(iso).getTime()) / 1000;
  if (!isFinite(sec)) return '';
  if (sec < 5) return 'just now';
  if (sec < 60) return Math.floor(sec) + ' s ago';
  if (sec < 3600) return Math.floor(sec / 60) + ' min ago';
  if (sec < 86400) return Math.floor(sec / 3600) + ' h ago';
  return Math.floor(sec / 86400) + ' d ago';
}

/** Is the request still waiting or streaming (not finished, not cut off)? */
export function inFlight(r) {
  return !r.complete && r.durationMs == null && !r.error;
}

/** 'ok' | 'redirect' | 'client' | 'server' | 'error' | 'live' | 'pending' */
export function statusClass(r) {
  if (inFlight(r)) return 'live';
  if (r.error && (r.status == null || r.status < 400)) return 'error';
  const st = r.status;
  if (st == null) return r.error ? 'error' : 'pending';
  if (st >= 500) return 'server';
  if (st >= 400) return 'client';
  if (st >= 300) return 'redirect';
  return 'ok';
}

export function isError(r) {
  return !!r.error || (r.status != null && r.status >= 400);
}

let toastTimer;
export function toast(message, kind = 'ok') {
  let el = document.getElementById('toast');
  if (!el) {
    el = h('div', { id: 'toast', role: 'status', 'aria-live': 'polite' });
    document.body.append(el);
  }
  el.textContent = message;
  el.className = 'toast show ' + kind;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.className = 'toast ' + kind), 2200);
}

/** Copies text: the async clipboard where allowed (secure contexts), else a hidden textarea. */
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch { /* fall through */ }
  const ta = h('textarea', { style: { position: 'fixed', top: '-1000px', opacity: '0' } });
  ta.value = text;
  document.body.append(ta);
  ta.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch { ok = false; }
  ta.remove();
  return ok;
}

export function debounce(fn, ms) {
  let t;
  const d = (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
  d.cancel = () => clearTimeout(t);
  return d;
}

/** Appends children like h() does: nulls skipped, arrays flattened, strings as text. */
export function add(el, ...kids) {
  append(el, kids);
  return el;
}
