// Admin: every account (system administrators only), and who else is a system administrator.

import { h } from '../util.js';
import { call, table, when, deletedBadge, showDeleted, button, section, fill } from './admin-common.js';

export function mountUsers(el, ctx) {
  let withDeleted = false;
  const list = h('div', null, h('div', { class: 'loading' }, 'Loading…'));
  el.append(section('Users', showDeleted('Show deleted', false, (on) => { withDeleted = on; load(); }), list),
    h('p', { class: 'small muted' }, 'System administrators see every team and manage accounts. New accounts come from invitations (Members); ',
      h('code', null, 'llmtrace admin users reset-password'), ' resets a password.'));

  async function load() {
    const users = await call('admin/users', { params: { includeDeleted: withDeleted ? 1 : undefined } });
    fill(list, table('users-table', [{ label: 'Email' }, { label: 'Name' }, { label: 'System admin' }, { label: 'Created' }, { label: '', cls: 'actions-cell' }],
      users.items.map((u) => ({
        attrs: { 'data-id': u.id, 'data-email': u.email, class: u.deletedAt ? 'is-deleted' : '' },
        cells: [h('span', null, u.email, ' ', deletedBadge(u)), u.name || null, u.systemAdmin ? h('span', { class: 'badge role-owner' }, 'yes') : h('span', { class: 'muted' }, 'no'),
          when(u.createdAt), actions(u)],
      }))));
  }

  function actions(u) {
    if (u.id === ctx.me.user.id || u.deletedAt) return null;
    return button(u.systemAdmin ? 'Remove system admin' : 'Make system admin', 'act-sysadmin', async () => {
      await call(`admin/users/${u.id}/system-admin`, { method: 'PATCH', body: { systemAdmin: !u.systemAdmin } });
      load();
    });
  }

  load().catch(() => {});
}
