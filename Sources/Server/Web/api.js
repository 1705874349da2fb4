// Talking to the llmtrace JSON API and its live event stream, with the optional password (standalone)
// or the signed-in account's access token (shared mode, auth.js).

import { isShared, setShared, freshToken, accessToken, refresh, hasSession } from './auth.js';

const TOKEN_KEY = 'llmtrace.token';

export class ApiError extends Error {
  constructor(status, type, message, body) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.type = type || 'http_error';
    this.body = body;
  }
}

let unauthorizedHandler = () => {};
/** Called whenever the API answers 401: the app shows its login form. */
export function onUnauthorized(fn) { unauthorizedHandler = fn; }

export function getToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
}
export function setToken(t) {
  try {
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch { /* private mode */ }
}

/** An absolute URL for an API path (relative to the page, so the panel works under any prefix). */
export function apiURL(path, params) {
  const u = new URL(path, document.baseURI);
  // encodeURIComponent: a `+` in a value must reach the server as %2B (it reads `+` as a space).
  const q = Object.entries(params || {})
    .filter(([, v]) => v != null && v !== '')
    .map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(String(v)))
    .join('&');
  u.search = q ? '?' + q : '';
  return u.toString();
}

/**
 * GET (or other method) a JSON API route; `body` is sent as JSON. Throws ApiError; a 401 also calls the
 * unauthorized handler. In shared mode an access token the server refused is refreshed once and the
 * call made again.
 */
export async function api(path, { params, method = 'GET', signal, body } = {}) {
  const res = await sendWithRefresh(path, { params, method, signal, body });
  let json = null;
  const text = await res.text();
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) throw refused(res, text, json);
  return json;
}

/**
 * GETs a route as a file (an export): its bytes as a Blob, sent with the same password or access token
 * as `api` (a plain link could not carry the Authorization header). `onProgress(bytes)` is called as
 * they arrive. Throws ApiError, also when the stream breaks off.
 */
export async function fetchBlob(path, { params, signal, onProgress } = {}) {
  const res = await sendWithRefresh(path, { params, method: 'GET', signal });
  if (!res.ok) {
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    throw refused(res, text, json);
  }
  const type = res.headers.get('content-type') || 'application/octet-stream';
  const parts = [];
  let bytes = 0;
  try {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      bytes += value.length;
      if (onProgress) onProgress(bytes);
    }
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'the download broke off after ' + bytes + ' bytes: ' + e.message);
  }
  return new Blob(parts, { type });
}

/** `send`, and in shared mode once more after refreshing an access token the server refused. */
async function sendWithRefresh(path, options) {
  const res = await send(path, options);
  if (res.status === 401 && isShared() && hasSession() && await refresh()) return send(path, options);
  return res;
}

/** The ApiError of a refused call; a 401 also calls the unauthorized handler. */
function refused(res, text, json) {
  const err = json && json.error ? json.error : {};
  const e = new ApiError(res.status, err.type, err.message || text.slice(0, 200), json);
  if (res.status === 401) {
    if (err.type === 'unauthenticated') setShared(true);
    unauthorizedHandler(e);
  }
  return e;
}

async function send(path, { params, method, signal, body }) {
  const headers = { Accept: 'application/json' };
  const t = isShared() ? await freshToken() : getToken();
  if (t) headers.Authorization = 'Bearer ' + t;
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    // credentials 'omit': a 401 with `WWW-Authenticate: Basic` must not pop the browser's own login dialog.
    return await fetch(apiURL(path, params), {
      method, headers, signal, cache: 'no-store', credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'llmtrace is not reachable: ' + e.message);
  }
}

/**
 * Which llmtrace this is: 'shared' when the API asks for an account's token (401 `unauthenticated`),
 * else 'standalone' (open, or behind the one password: its 401 is `unauthorized`).
 */
export async function detectMode() {
  const res = await fetch(apiURL('api/health'), { cache: 'no-store', credentials: 'omit', headers: { Accept: 'application/json' } });
  if (res.status !== 401) return 'standalone';
  try { return (await res.json()).error.type === 'unauthenticated' ? 'shared' : 'standalone'; } catch { return 'standalone'; }
}

/** Tries a password: true when the API accepts it. */
export async function checkPassword(password) {
  const res = await fetch(apiURL('api/health'), { headers: { Authorization: 'Bearer ' + password }, cache: 'no-store', credentials: 'omit' });
  return res.ok;
}

// --- live events ---------------------------------------------------------------------------------

const EVENT_NAMES = ['request.started', 'request.updated', 'request.delta', 'request.completed', 'cleared', 'resync', 'stats', 'alert'];
const alertListeners = new Set();
const alertsSeen = new Set();

/** Shared mode: `fn(alert)` for each budget alert any open stream brings (once, whichever stream). */
export function onAlert(fn) { alertListeners.add(fn); return () => alertListeners.delete(fn); }

function dispatchAlert(a) {
  const key = JSON.stringify([a.rule && a.rule.id, a.windowStart, a.at]);
  if (alertsSeen.has(key)) return;
  alertsSeen.add(key);
  for (const fn of alertListeners) fn(a);
}
const stateListeners = new Set();
let connState = 'idle';
const openStreams = new Set();

function setConnState() {
  // The header shows the best state of the open streams.
  let st = 'idle';
  for (const l of openStreams) {
    if (l.state === 'live') { st = 'live'; break; }
    if (l.state === 'reconnecting' || l.state === 'connecting') st = 'reconnecting';
    else if (st === 'idle') st = l.state;
  }
  if (st !== connState) {
    connState = st;
    for (const fn of stateListeners) fn(st);
  }
}
export function onConnectionState(fn) { stateListeners.add(fn); fn(connState); return () => stateListeners.delete(fn); }

/**
 * Subscribes to `/api/events` with `params` (env, model, filter, lastEventId).
 * `onEvent(name, data, eventId)`; `onOpen(isReconnect)` after every (re)connection.
 * Returns `close()`.
 */
export function live(params, { onEvent, onOpen } = {}) {
  const sub = { state: 'connecting' };
  let es = null;
  let closed = false;
  let everOpen = false;
  let lastId = params && params.lastEventId;
  let retry = null;
  let backoff = 1000;
  openStreams.add(sub);

  const set = (st) => { sub.state = st; setConnState(); };

  function connect() {
    if (closed) return;
    const p = { ...params, lastEventId: lastId || undefined };
    const t = isShared() ? accessToken() : getToken();
    if (t) p.token = t;
    es = new EventSource(apiURL('api/events', p));
    set('connecting');
    es.onopen = () => {
      set('live');
      backoff = 1000;
      const again = everOpen;
      everOpen = true;
      if (onOpen) onOpen(again);
    };
    for (const name of EVENT_NAMES) {
      es.addEventListener(name, (e) => {
        if (e.lastEventId) lastId = e.lastEventId;
        let data;
        try { data = JSON.parse(e.data); } catch { return; }
        if (name === 'alert') { dispatchAlert(data); return; }
        if (onEvent) onEvent(name, data, e.lastEventId);
      });
    }
    es.onerror = () => {
      if (closed) return;
      if (es.readyState !== EventSource.CLOSED) { set('reconnecting'); return; }
      // The server refused the stream (401, 400) or the browser gave up: find out, then retry.
      es.close();
      set('down');
      api('api/health').then(
        () => schedule(),
        (e) => { if (e.status !== 401) schedule(); },
      );
    };
  }
  function schedule() {
    if (closed) return;
    clearTimeout(retry);
    retry = setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 15000);
    set('reconnecting');
  }
  connect();
  return function close() {
    closed = true;
    clearTimeout(retry);
    if (es) es.close();
    openStreams.delete(sub);
    setConnState();
  };
}
