// Shared mode's sign-in page and the page an invitation link opens (choose a password).

import { login, acceptInvite } from '../auth.js';
import { h } from '../util.js';

/** A sign-in card over everything (this page's and the standalone panel's password box): `onSubmit(overlay)`
 *  runs on submit; what it throws is shown under the button. */
export function card(id, title, subtitle, fields, button, onSubmit) {
  const err = h('div', { class: 'login-error', id: id + '-error', role: 'alert' });
  const btn = h('button', { type: 'submit', class: 'btn primary' }, button);
  const form = h('form', { class: 'login-card', id: id + '-form' },
    h('img', { src: './favicon.svg', alt: '', width: '40', height: '40' }),
    h('h1', null, title),
    h('p', { class: 'muted small' }, subtitle),
    ...fields, btn, err);
  const overlay = h('div', { class: 'login-overlay' }, form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    btn.disabled = true;
    err.textContent = '';
    try {
      await onSubmit(overlay);
    } catch (x) {
      err.textContent = x.message || String(x);
    } finally {
      btn.disabled = false;
    }
  });
  return { overlay, err };
}

function field(attrs) {
  return h('input', { required: true, 'aria-label': attrs.placeholder, ...attrs });
}

/** The sign-in page over everything; `onDone()` once signed in. */
export function showSignIn({ reason, onDone }) {
  const email = field({ type: 'email', id: 'email', name: 'email', autocomplete: 'username', placeholder: 'Email' });
  const password = field({ type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', placeholder: 'Password' });
  const { overlay, err } = card('signin', 'Sign in to llmtrace', 'Your team’s traffic, costs and settings.', [email, password], 'Sign in', async () => {
    try {
      await login(email.value.trim(), password.value);
    } catch (x) {
      if (x.type === 'invalid_credentials') { password.select(); throw new Error('Wrong email or password.'); }
      if (x.status === 429) throw new Error('Too many attempts: ' + x.message);
      throw x.status ? x : new Error('llmtrace is not reachable: ' + x.message);
    }
    overlay.remove();
    onDone();
  });
  err.textContent = reason || '';
  document.body.append(overlay);
  email.focus();
  return () => overlay.remove();
}

/** The page of an invitation link (`#/invite/{token}`): a name and a password, then signed in. */
export function showInvite(token, { onDone }) {
  const name = h('input', { type: 'text', id: 'invite-name', name: 'name', autocomplete: 'name', placeholder: 'Your name (optional)', 'aria-label': 'Your name' });
  const password = field({ type: 'password', id: 'invite-password', name: 'password', autocomplete: 'new-password', placeholder: 'Choose a password (8 or more characters)', minlength: '8' });
  const again = field({ type: 'password', id: 'invite-again', autocomplete: 'new-password', placeholder: 'The password again' });
  const { overlay } = card('accept', 'Join your team on llmtrace', 'You were invited. Choose a password to create your account.', [name, password, again], 'Create account', async () => {
    if (password.value !== again.value) { again.select(); throw new Error('The two passwords differ.'); }
    try {
      await acceptInvite(token, password.value, name.value.trim());
    } catch (x) {
      if (x.status === 404 || x.status === 401) throw new Error('This invitation is not valid any more (used, expired or withdrawn). Ask for a new one.');
      throw x;
    }
    overlay.remove();
    onDone();
  });
  document.body.append(overlay);
  name.focus();
  return () => overlay.remove();
}
