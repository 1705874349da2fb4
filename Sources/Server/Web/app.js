// llmtrace web panel: hash routing, the password gate (standalone) or the sign-in page (shared mode),
// the header.

import { onUnauthorized, onConnectionState, getToken, setToken, checkPassword, detectMode, onAlert, live } from './api.js';
import { isShared, setShared, hasSession, currentUser, logout, forget, onSession } from './auth.js';
import { h, clear, add, fmtCost } from './util.js';
import { createRequestsView } from './views/requests.js';
import { mountDetail } from './views/detail.js';
import { showSignIn, showInvite, card } from './views/login.js';

const main = document.getElementById('main');
const navRequests = document.getElementById('nav-requests');
const navStats = document.getElementById('nav-stats');
const navSessions = document.getElementById('nav-sessions');
const conn = document.getElementById('conn');
const lockBtn = document.getElementById('lock');
const navAdmin = document.getElementById('nav-admin');
const who = document.getElementById('who');
const signoutBtn = document.getElementById('signout');
const alertsBox = document.getElementById('alerts');

let requestsView = null;
let unmount = null;
let listHash = '#/requests';
let listScroll = 0;
let locked = false;
let currentRoute = '';
let sessionsHash = '#/sessions';

function parseHash() {
  const raw = (location.hash || '#/requests').slice(1);
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  return { path: path || '/requests', params: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

function navigate(hash) {
  location.hash = hash;
}

function setNav(which, filter) {
  navRequests.classList.toggle('active', which === 'requests');
  navStats.classList.toggle('active', which === 'stats');
  navSessions.classList.toggle('active', which === 'sessions');
  navAdmin.classList.toggle('active', which === 'admin');
  navRequests.setAttribute('href', listHash);
  navStats.setAttribute('href', filter ? '#/stats?filter=' + encodeURIComponent(filter) : '#/stats');
}

function currentFilter() {
  const { params } = parseHash();
  return params.get('filter') || new URLSearchParams(listHash.split('?')[1] || '').get('filter') || '';
}

let alertStream = null;

function route() {
  const { path, params } = parseHash();
  const invite = /^\/invite\/([^/]+)$/.exec(path);
  // An invitation link opens its page even over the sign-in page.
  if (invite && isShared()) { showInvitePage(decodeURIComponent(invite[1])); return; }
  if (locked) return;
  if (isShared() && !hasSession()) { showSharedLogin(''); return; }
  if (currentRoute === 'requests' && requestsView) listScroll = window.scrollY;
  if (unmount) { unmount(); unmount = null; }
  const admin = /^\/admin(?:\/([^/]*))?\/?$/.exec(path);
  // Budget alerts come with any live stream; the admin pages have none of their own.
  const wantAlerts = !!admin && isShared() && !requestsView;
  if (wantAlerts && !alertStream) alertStream = live({}, {});
  if (!wantAlerts && alertStream) { alertStream(); alertStream = null; }
  const detail = /^\/requests\/([^/]+)$/.exec(path);
  if (detail) {
    currentRoute = 'detail';
    if (requestsView) requestsView.hide();
    const id = decodeURIComponent(detail[1]);
    document.title = `${id} · llmtrace`;
    unmount = mountDetail(main, { id, backHash: listHash });
    setNav('requests', currentFilter());
    window.scrollTo(0, 0);
  } else if (admin && isShared()) {
    currentRoute = 'admin';
    if (requestsView) requestsView.hide();
    const page = admin[1] || 'dashboard';
    document.title = 'Admin · llmtrace';
    // Loaded on first use: standalone panels never fetch the admin pages.
    let gone = false;
    let inner = null;
    unmount = () => { gone = true; if (inner) inner(); };
    import('./views/admin.js').then((m) => { if (!gone) inner = m.mountAdmin(main, { page, params, navigate }); });
    setNav('admin', '');
    window.scrollTo(0, 0);
  } else if (/^\/sessions(\/|$)/.test(path)) {
    currentRoute = 'sessions';
    if (requestsView) requestsView.hide();
    const id = path.length > 10 ? decodeURIComponent(path.slice(10)) : null;
    if (!id) sessionsHash = location.hash || '#/sessions';
    document.title = 'Sessions · llmtrace';
    // Loaded on first use, as the admin pages: the first load stays small.
    let gone = false;
    let inner = null;
    unmount = () => { gone = true; if (inner) inner(); };
    import('./views/sessions.js').then((m) => { if (!gone) inner = m.mountSessions(main, { id, params, navigate, backHash: sessionsHash }); });
    setNav('sessions', '');
    window.scrollTo(0, 0);
  } else if (path === '/stats') {
    currentRoute = 'stats';
    if (requestsView) requestsView.hide();
    document.title = 'Stats · llmtrace';
    // Loaded on first use with its charts, as the sessions and admin pages: the first load stays small.
    let gone = false;
    let inner = null;
    unmount = () => { gone = true; if (inner) inner(); };
    import('./views/stats.js').then((m) => { if (!gone) inner = m.mountStats(main, { params, filter: params.get('filter') || '' }); });
    setNav('stats', params.get('filter') || '');
    window.scrollTo(0, 0);
  } else {
    const wasOther = currentRoute !== 'requests';
    currentRoute = 'requests';
    document.title = 'Requests · llmtrace';
    if (!requestsView) {
      requestsView = createRequestsView(main, {
        navigate,
        initialFilter: params.get('filter') || '',
        // The filter box rewrites the hash with replaceState (no hashchange): keep the nav links current.
        onFilter(hash, filter) { listHash = hash; if (currentRoute === 'requests') setNav('requests', filter); },
      });
    }
    requestsView.show(params);
    listHash = location.hash && location.hash !== '#/' ? location.hash : '#/requests';
    setNav('requests', params.get('filter') || '');
    if (wasOther) requestAnimationFrame(() => window.scrollTo(0, listScroll));
  }
}

// --- password gate -------------------------------------------------------------------------------

function teardown() {
  if (unmount) { unmount(); unmount = null; }
  if (requestsView) { requestsView.destroy(); requestsView = null; }
  if (alertStream) { alertStream(); alertStream = null; }
  currentRoute = '';
}

function showLogin(hadToken) {
  if (locked) return;
  locked = true;
  teardown();
  setToken('');
  lockBtn.hidden = true;
  const user = h('input', { type: 'text', name: 'username', autocomplete: 'username', value: 'llmtrace', hidden: true, 'aria-hidden': 'true' });
  const input = h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', placeholder: 'Password', 'aria-label': 'Password', required: true });
  const { overlay, err } = card('login', 'This llmtrace needs its password',
    'Ask whoever runs it (it was started with --password). It is kept for this tab only.', [user, input], 'Sign in', async () => {
      let accepted;
      try {
        accepted = await checkPassword(input.value);
      } catch (x) {
        throw new Error('llmtrace is not reachable: ' + x.message);
      }
      if (!accepted) {
        input.select();
        throw new Error('Wrong password.');
      }
      setToken(input.value);
      overlay.remove();
      locked = false;
      lockBtn.hidden = false;
      route();
    });
  if (hadToken) err.textContent = 'The password was not accepted any more — sign in again.';
  document.body.append(overlay);
  input.focus();
}

// --- shared mode: accounts ----------------------------------------------------------------------

let signingOut = false;
let closeOverlay = null;

function showSharedLogin(reason) {
  if (locked) return;
  locked = true;
  teardown();
  forget();
  closeOverlay = showSignIn({ reason, onDone() { closeOverlay = null; locked = false; route(); } });
}

function showInvitePage(token) {
  if (closeOverlay) closeOverlay();
  locked = true;
  teardown();
  closeOverlay = showInvite(token, {
    onDone() {
      closeOverlay = null;
      locked = false;
      history.replaceState(null, '', '#/requests'); // the spent token leaves the address bar and history
      route();
    },
  });
}

function showWho(user) {
  const on = isShared() && !!user;
  who.hidden = !on;
  signoutBtn.hidden = !on;
  navAdmin.hidden = !isShared();
  clear(who);
  if (on) {
    who.title = 'Signed in as ' + user.email + (user.systemAdmin ? ' (system administrator)' : '');
    add(who, h('span', { id: 'who-email' }, user.name || user.email), user.systemAdmin ? h('span', { class: 'badge' }, 'sysadmin') : null);
  }
}

onSession((s) => {
  showWho(s && s.user);
  if (!s && isShared() && !locked) showSharedLogin(signingOut ? '' : 'You were signed out. Sign in again.');
});

signoutBtn.addEventListener('click', async () => {
  signingOut = true;
  try { await logout(); } finally { signingOut = false; }
});

onAlert((a) => {
  const text = a.message || `Budget exceeded: ${fmtCost(a.spentUsd)} spent`;
  const close = h('button', { type: 'button', class: 'btn ghost small', 'aria-label': 'Dismiss', title: 'Dismiss' }, '×');
  const banner = h('div', { class: 'banner alert-banner', role: 'alert' },
    h('span', { class: 'alert-icon', 'aria-hidden': 'true' }, '▲'),
    h('span', { class: 'alert-text' }, text),
    h('span', { class: 'spacer' }), close);
  close.addEventListener('click', () => banner.remove());
  alertsBox.prepend(banner);
  while (alertsBox.children.length > 5) alertsBox.lastChild.remove();
});

onUnauthorized(() => {
  if (isShared()) showSharedLogin('Your session has ended. Sign in again.');
  else showLogin(!!getToken());
});

lockBtn.hidden = !getToken();
lockBtn.addEventListener('click', () => { setToken(''); location.reload(); });

// --- connection indicator ------------------------------------------------------------------------

const CONN_TEXT = { live: 'live', reconnecting: 'reconnecting…', down: 'offline', connecting: 'connecting…', idle: '' };
onConnectionState((st) => {
  conn.className = 'conn conn-' + st;
  add(clear(conn), h('span', { class: 'conn-dot' }), CONN_TEXT[st] || '');
  conn.title = st === 'live' ? 'Receiving live events' : st === 'idle' ? '' : 'Live events: ' + (CONN_TEXT[st] || st);
});

// Standalone or shared mode: the server says, before anything else is shown.
async function boot() {
  let mode = 'standalone';
  try { mode = await detectMode(); } catch { /* not reachable: the views say so */ }
  if (mode === 'shared') {
    setShared(true);
    document.body.classList.add('shared');
    showWho(currentUser());
  }
  window.addEventListener('hashchange', route);
  route();
}
boot();
