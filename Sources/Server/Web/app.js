// llmtrace web panel: hash routing, the password gate, the header.

import { onUnauthorized, onConnectionState, getToken, setToken, checkPassword } from './api.js';
import { h, clear, add } from './util.js';
import { createRequestsView } from './views/requests.js';
import { mountDetail } from './views/detail.js';
import { mountStats } from './views/stats.js';

const main = document.getElementById('main');
const navRequests = document.getElementById('nav-requests');
const navStats = document.getElementById('nav-stats');
const conn = document.getElementById('conn');
const lockBtn = document.getElementById('lock');

let requestsView = null;
let unmount = null;
let listHash = '#/requests';
let listScroll = 0;
let locked = false;
let currentRoute = '';

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
  navRequests.setAttribute('href', listHash);
  navStats.setAttribute('href', filter ? '#/stats?filter=' + encodeURIComponent(filter) : '#/stats');
}

function currentFilter() {
  const { params } = parseHash();
  return params.get('filter') || new URLSearchParams(listHash.split('?')[1] || '').get('filter') || '';
}

function route() {
  if (locked) return;
  const { path, params } = parseHash();
  if (currentRoute === 'requests' && requestsView) listScroll = window.scrollY;
  if (unmount) { unmount(); unmount = null; }
  const detail = /^\/requests\/([^/]+)$/.exec(path);
  if (detail) {
    currentRoute = 'detail';
    if (requestsView) requestsView.hide();
    const id = decodeURIComponent(detail[1]);
    document.title = `${id} · llmtrace`;
    unmount = mountDetail(main, { id, backHash: listHash });
    setNav('requests', currentFilter());
    window.scrollTo(0, 0);
  } else if (path === '/stats') {
    currentRoute = 'stats';
    if (requestsView) requestsView.hide();
    document.title = 'Stats · llmtrace';
    unmount = mountStats(main, { params, filter: params.get('filter') || '' });
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
  const err = h('div', { class: 'login-error', id: 'login-error', role: 'alert' }, hadToken ? 'The password was not accepted any more — sign in again.' : '');
  const btn = h('button', { type: 'submit', class: 'btn primary' }, 'Sign in');
  const form = h('form', { class: 'login-card', id: 'login-form' },
    h('img', { src: './favicon.svg', alt: '', width: '40', height: '40' }),
    h('h1', null, 'This llmtrace needs its password'),
    h('p', { class: 'muted small' }, 'Ask whoever runs it (it was started with --password). It is kept for this tab only.'),
    user, input, btn, err);
  const overlay = h('div', { class: 'login-overlay' }, form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    btn.disabled = true;
    err.textContent = '';
    try {
      if (await checkPassword(input.value)) {
        setToken(input.value);
        overlay.remove();
        locked = false;
        lockBtn.hidden = false;
        route();
      } else {
        err.textContent = 'Wrong password.';
        input.select();
      }
    } catch (x) {
      err.textContent = 'llmtrace is not reachable: ' + x.message;
    } finally {
      btn.disabled = false;
    }
  });
  document.body.append(overlay);
  input.focus();
}

onUnauthorized(() => showLogin(!!getToken()));

lockBtn.hidden = !getToken();
lockBtn.addEventListener('click', () => { setToken(''); location.reload(); });

// --- connection indicator ------------------------------------------------------------------------

const CONN_TEXT = { live: 'live', reconnecting: 'reconnecting…', down: 'offline', connecting: 'connecting…', idle: '' };
onConnectionState((st) => {
  conn.className = 'conn conn-' + st;
  add(clear(conn), h('span', { class: 'conn-dot' }), CONN_TEXT[st] || '');
  conn.title = st === 'live' ? 'Receiving live events' : st === 'idle' ? '' : 'Live events: ' + (CONN_TEXT[st] || st);
});

window.addEventListener('hashchange', route);
route();
