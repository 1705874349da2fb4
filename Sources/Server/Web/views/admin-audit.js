// Admin: the audit log, newest first (system administrators: everything; team admins: their teams').

import { h } from '../util.js';
import { call, table, when, section, fill } from './admin-common.js';

export function mountAudit(el, ctx) {
  const list = h('div', null, h('div', { class: 'loading' }, 'Loading…'));
  el.append(section('Audit log', h('span', { class: 'small muted' }, 'the latest 200 changes'), list));

  async function load() {
    const [log, users] = await Promise.all([
      call('admin/audit', { params: { limit: 200 } }),
      ctx.me.user.systemAdmin ? call('admin/users', { params: { includeDeleted: 1 } }) : Promise.resolve({ items: [ctx.me.user] }),
    ]);
    const email = new Map(users.items.map((u) => [u.id, u.email]));
    fill(list, table('audit-table', [{ label: 'When' }, { label: 'Who' }, { label: 'Action' }, { label: 'Resource' }, { label: 'Details' }, { label: 'Address' }],
      log.items.map((a) => ({
        attrs: { 'data-id': a.id },
        cells: [when(a.at), a.actor ? (email.get(a.actor) || h('span', { class: 'mono small' }, a.actor)) : h('span', { class: 'muted' }, 'command line'),
          h('span', { class: 'mono' }, a.action), h('span', { class: 'small nowrap' }, a.resourceType, ' ', h('span', { class: 'mono muted', title: a.resourceId }, a.resourceId.slice(0, 8))),
          h('span', { class: 'small' }, Object.entries(a.details || {}).map(([k, v]) => `${k}: ${v}`).join(', ')), a.address || null],
      })), 'Nothing logged yet.'));
  }

  load().catch(() => {});
}
