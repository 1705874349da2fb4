// Shared mode's session: signing in, the 15-minute access token refreshed before it expires, signing out.
//
// The session ({accessToken, refreshToken, expiresAt, user}) is kept in localStorage, so every tab of
// the browser shares one sign-in. POST /admin/refresh spends the refresh token it is given and a spent
// one used again signs the whole session out, so a refresh takes a lock shared by the tabs (Web Locks,
// where the browser offers them) and first re-reads the storage: a tab that finds a newer session
// stored by another tab uses it instead of refreshing.

const KEY = 'llmtrace.session';
const LOCK = 'llmtrace.refresh';

let shared = false;
let session = load();
let timer = null;
let inFlight = null;
const listeners = new Set();

/** Shared mode (accounts) rather than standalone (no password, or one password). */
export function isShared() { return shared; }
export function setShared(on) { shared = on; if (on) schedule(); }

/** Called with the session (or null) whenever it changes, in this tab or another. */
export function onSession(fn) { listeners.add(fn); return () => listeners.delete(fn); }
export function currentUser() { return session ? session.user : null; }
export function hasSession() { return !!session; }
export function accessToken() { return session ? session.accessToken : ''; }

function load() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) || 'null');
    return s && s.accessToken && s.refreshToken ? s : null;
  } catch { return null; }
}

function save(s) {
  session = s;
  try {
    if (s) localStorage.setItem(KEY, JSON.stringify(s));
    else localStorage.removeItem(KEY);
  } catch { /* storage refused: the session lives in this page only */ }
  schedule();
  for (const fn of listeners) fn(s);
}

/** A login answer ({accessToken, refreshToken, expiresIn, user}) as a stored session. */
function fromAnswer(a) {
  return { accessToken: a.accessToken, refreshToken: a.refreshToken, expiresAt: Date.now() + a.expiresIn * 1000, user: a.user };
}

/** POSTs JSON to an admin route that needs no token; throws {status, type, message} when refused. */
async function post(path, body) {
  const res = await fetch(new URL(path, document.baseURI), {
    method: 'POST',
    headers: { 'content-type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) {
    const e = (json && json.error) || {};
    throw Object.assign(new Error(e.message || `HTTP ${res.status}`), { status: res.status, type: e.type || 'http_error' });
  }
  return json;
}

export async function login(email, password) {
  save(fromAnswer(await post('admin/login', { email, password })));
}

export async function acceptInvite(token, password, name) {
  save(fromAnswer(await post('admin/invites/accept', { token, password, name: name || undefined })));
}

/** Forgets the session here (and in every tab) and ends it on the server. */
export async function logout() {
  const s = session;
  save(null);
  if (s) await post('admin/logout', { refreshToken: s.refreshToken }).catch(() => {});
}

/** Forgets the session without telling the server (it refused it already). */
export function forget() { if (session) save(null); }

function withLock(fn) {
  return navigator.locks ? navigator.locks.request(LOCK, fn) : fn();
}

/** A new access token from the refresh token, once at a time: true when the session lives on. */
export function refresh() {
  if (!inFlight) {
    const spent = session && session.refreshToken;
    inFlight = withLock(async () => {
      const stored = load();
      if (!stored) { forget(); return false; }
      // Another tab refreshed meanwhile: its session is the newest.
      if (stored.refreshToken !== spent) { save(stored); return true; }
      try {
        save(fromAnswer(await post('admin/refresh', { refreshToken: stored.refreshToken })));
        return true;
      } catch (e) {
        if (e.status === 401) { forget(); return false; }
        // The server is unreachable or failing: keep the session and try again shortly.
        clearTimeout(timer);
        timer = setTimeout(() => { refresh(); }, 10000);
        return true;
      }
    }).finally(() => { inFlight = null; });
  }
  return inFlight;
}

/** The access token, refreshed first when it expires within 30 s. */
export async function freshToken() {
  if (session && session.expiresAt - Date.now() < 30000) await refresh();
  return accessToken();
}

// Refresh about a minute before the access token expires (a little earlier in some tabs than in others,
// so that the tabs do not all reach for the lock at once).
function schedule() {
  clearTimeout(timer);
  if (!shared || !session) return;
  const wait = Math.max(1000, session.expiresAt - Date.now() - 60000 - Math.random() * 20000);
  timer = setTimeout(() => { refresh(); }, wait);
}

window.addEventListener('storage', (e) => {
  if (e.key !== KEY) return;
  session = load();
  schedule();
  for (const fn of listeners) fn(session);
});
