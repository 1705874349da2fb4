// Admin: teams. Anyone may create one (and becomes its owner); owners delete and restore theirs.

import { h } from '../util.js';
import { call, can, roleIn, table, when, roleBadge, deletedBadge, showDeleted, button, form, input, section, fill } from './admin-common.js';

export function mountTeams(el, ctx) {
  let withDeleted = false;
  const list = h('div', null, h('div', { class: 'loading' }, 'Loading…'));
  const slug = input({ id: 'team-slug', placeholder: 'slug (a-z, 0-9, -)', required: true, pattern: '[a-z0-9-]{1,64}' });
  const name = input({ id: 'team-name', placeholder: 'Display name' });
  const create = form('team-form', [slug, name], 'Create team', async () => {
    await call('admin/teams', { method: 'POST', body: { slug: slug.value.trim(), name: name.value.trim() || slug.value.trim() } });
    slug.value = '';
    name.value = '';
    ctx.reload(); // the caller owns the new team: a fresh /admin/me
  });
  el.append(section('Teams', showDeleted('Show deleted', false, (on) => { withDeleted = on; load(); }), list),
    section('New team', null, create));

  async function load() {
    const teams = await call('admin/teams', { params: { includeDeleted: withDeleted ? 1 : undefined } });
    fill(list, table('teams-table', [{ label: 'Slug' }, { label: 'Name' }, { label: 'Your role' }, { label: 'Created' }, { label: '', cls: 'actions-cell' }],
      teams.items.map((t) => ({
        attrs: { 'data-id': t.id, class: t.deletedAt ? 'is-deleted' : '' },
        cells: [h('span', { class: 'mono' }, t.slug, ' ', deletedBadge(t)), t.name, roleIn(ctx.me, t.id) ? roleBadge(roleIn(ctx.me, t.id)) : null, when(t.createdAt), actions(t)],
      })), 'You are in no team yet: create one below, or ask a team admin to add you.'));
  }

  function actions(t) {
    const out = [];
    if (!t.deletedAt) {
      out.push(h('a', { class: 'btn small', href: '#/admin/members?team=' + t.id }, 'Members'));
      if (can(ctx.me, t.id, 'owner')) {
        out.push(button('Delete', 'act-delete danger', async () => {
          if (!confirm(`Delete team ${t.slug}? Its environments stop taking traffic; it can be restored.`)) return;
          await call('admin/teams/' + t.id, { method: 'DELETE' });
          load();
        }));
      }
    } else if (can(ctx.me, t.id, 'owner')) {
      out.push(button('Restore', 'act-restore', async () => { await call(`admin/teams/${t.id}/restore`, { method: 'POST' }); load(); }));
    }
    return h('span', { class: 'row-actions' }, out);
  }

  load().catch(() => {});
}
