// Pieces the admin pages share: roles, tables, buttons that call the API, the one-time secret box.

import { api } from '../api.js';
import { h, add, clear, toast, copyText, fmtDateTime, dash } from '../util.js';

const RANK = { member: 1, admin: 2, owner: 3 };

/** The caller's role in a team (system administrators count as owners everywhere), or null. */
export function roleIn(me, teamId) {
  if (me.user.systemAdmin) return 'owner';
  const t = me.teams.find((x) => x.id === teamId);
  return t ? t.role : null;
}

/** Whether the caller's role in the team is at least `needed` ('member' | 'admin' | 'owner'). */
export function can(me, teamId, needed) {
  return (RANK[roleIn(me, teamId)] || 0) >= RANK[needed];
}

/** Calls the API; a refusal becomes a toast (the server decides, the page only hides what it cannot do). */
export async function call(path, options) {
  try {
    return await api(path, options);
  } catch (e) {
    if (e.status !== 401) toast(e.message, 'error');
    throw e;
  }
}

/** A small button running `fn`, disabled while it runs; `fn`'s failure is already shown by `call`. */
export function button(label, cls, fn, attrs = {}) {
  const b = h('button', { type: 'button', class: 'btn small ' + cls, ...attrs }, label);
  b.addEventListener('click', async () => {
    b.disabled = true;
    try { await fn(); } catch { /* shown */ } finally { b.disabled = false; }
  });
  return b;
}

/**
 * A table in the style of the requests table. `columns`: [{label, cls}]; `rows`: [{cells:[…], attrs}].
 */
export function table(id, columns, rows, emptyText) {
  const head = h('tr', null, columns.map((c) => h('th', { class: c.cls || '' }, c.label)));
  const body = h('tbody', null, rows.map((r) =>
    h('tr', r.attrs || null, r.cells.map((cell, i) => h('td', { class: columns[i].cls || '' }, cell == null ? dash : cell)))));
  if (!rows.length) body.append(h('tr', null, h('td', { colspan: String(columns.length), class: 'muted empty-row' }, emptyText || 'Nothing yet.')));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'admin-table', id }, h('thead', null, head), body));
}

/** A date to the minute (the full time in its tooltip). */
export function when(iso) {
  return iso ? h('span', { class: 'when', title: fmtDateTime(iso) }, fmtDateTime(iso).slice(0, 16)) : dash;
}

export function roleBadge(role) {
  return h('span', { class: 'badge role-' + role }, role);
}

export function deletedBadge(row) {
  return row.deletedAt ? h('span', { class: 'badge deleted', title: 'deleted ' + row.deletedAt }, 'deleted') : null;
}

/** A "show deleted" checkbox. */
export function showDeleted(label, checked, onChange) {
  const box = h('input', { type: 'checkbox', id: 'show-deleted', checked });
  box.addEventListener('change', () => onChange(box.checked));
  return h('label', { class: 'check' }, box, ' ', label);
}

/** A <select> of teams (`teams`: [{id, slug, name}]). */
export function teamSelect(id, teams, value, onChange) {
  const sel = h('select', { id, class: 'input' }, teams.map((t) => h('option', { value: t.id }, t.name && t.name !== t.slug ? `${t.name} (${t.slug})` : t.slug)));
  if (value) sel.value = value;
  if (onChange) sel.addEventListener('change', () => onChange(sel.value));
  return sel;
}

/** An inline form: fields then a submit button; `onSubmit()` may throw (shown by `call`). */
export function form(id, fields, label, onSubmit) {
  const btn = h('button', { type: 'submit', class: 'btn primary small' }, label);
  const f = h('form', { id, class: 'inline-form' }, ...fields, btn);
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    btn.disabled = true;
    try { await onSubmit(); } catch { /* shown */ } finally { btn.disabled = false; }
  });
  return f;
}

export function input(attrs) {
  return h('input', { class: 'input', ...attrs });
}

/** A secret shown once (an ingest key, an invitation link) with copy buttons. */
export function secretBox(id, title, note, lines) {
  return h('div', { class: 'card secret', id },
    h('div', { class: 'card-title' }, title),
    h('p', { class: 'small muted' }, note),
    lines.map(([label, value, cls]) => {
      const copy = h('button', { type: 'button', class: 'btn small' }, 'Copy');
      copy.addEventListener('click', async () => toast((await copyText(value)) ? 'Copied' : 'Could not copy'));
      return h('div', { class: 'secret-line' }, h('span', { class: 'secret-label muted small' }, label), h('code', { class: 'secret-value ' + (cls || '') }, value), copy);
    }));
}

/** A page section: a title row (title, then controls at the right) and its content. */
export function section(title, controls, ...kids) {
  return h('section', { class: 'admin-section' },
    h('div', { class: 'toolbar' }, h('h2', { class: 'section-title' }, title), h('span', { class: 'spacer' }), controls),
    ...kids);
}

/** Replaces `el`'s content. */
export function fill(el, ...kids) { return add(clear(el), ...kids); }
