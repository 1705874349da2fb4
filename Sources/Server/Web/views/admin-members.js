// Admin: a team's members. Admins invite, change roles (owners for owners), remove and restore;
// anyone may leave. Removed members show as tombstones on request.

import { h } from '../util.js';
import { call, can, table, when, roleBadge, deletedBadge, showDeleted, button, form, input, teamSelect, secretBox, section, fill } from './admin-common.js';

const ROLES = ['member', 'admin', 'owner'];

export function mountMembers(el, ctx) {
  const live = ctx.teams.filter((t) => !t.deletedAt);
  if (!live.length) {
    el.append(h('div', { class: 'empty' }, h('div', { class: 'empty-title' }, 'No team yet'), h('p', { class: 'muted' }, 'Create a team under Teams first.')));
    return;
  }
  let teamId = live.some((t) => t.id === ctx.params.get('team')) ? ctx.params.get('team') : live[0].id;
  let withDeleted = false;
  const list = h('div', null, h('div', { class: 'loading' }, 'Loading…'));
  const inviteArea = h('div');
  const picker = teamSelect('members-team', live, teamId, (id) => {
    teamId = id;
    history.replaceState(null, '', '#/admin/members?team=' + id);
    draw();
  });
  el.append(section('Members', [picker, ' ', showDeleted('Show removed', false, (on) => { withDeleted = on; load(); })], list), inviteArea);

  function draw() {
    fill(inviteArea, can(ctx.me, teamId, 'admin') ? inviteSection() : null);
    load().catch(() => {});
  }

  async function load() {
    const members = await call(`admin/teams/${teamId}/users`, { params: { includeDeleted: withDeleted ? 1 : undefined } });
    fill(list, table('members-table', [{ label: 'Email' }, { label: 'Name' }, { label: 'Role' }, { label: 'Member since' }, { label: '', cls: 'actions-cell' }],
      members.items.map((m) => ({
        attrs: { 'data-id': m.user.id, 'data-email': m.user.email, class: m.deletedAt ? 'is-deleted' : '' },
        cells: [h('span', null, m.user.email, ' ', deletedBadge(m)), m.user.name || null, roleCell(m), when(m.createdAt), actions(m)],
      })), 'No members.'));
  }

  function isMe(m) { return m.user.id === ctx.me.user.id; }

  // A role the caller may give: admins give member and admin, owners also owner.
  function mayGrant(role) { return can(ctx.me, teamId, role === 'owner' ? 'owner' : 'admin'); }

  function roleCell(m) {
    if (m.deletedAt || isMe(m) || !mayGrant(m.role)) return roleBadge(m.role);
    const sel = h('select', { class: 'input small role-select', 'aria-label': 'Role of ' + m.user.email },
      ROLES.filter(mayGrant).map((r) => h('option', { value: r }, r)));
    sel.value = m.role;
    sel.addEventListener('change', async () => {
      try {
        await call(`admin/teams/${teamId}/users/${m.user.id}`, { method: 'PATCH', body: { role: sel.value } });
      } catch { sel.value = m.role; return; }
      load();
    });
    return sel;
  }

  function actions(m) {
    const out = [];
    if (m.deletedAt) {
      if (can(ctx.me, teamId, 'admin')) {
        out.push(button('Restore', 'act-restore', async () => { await call(`admin/teams/${teamId}/users/${m.user.id}/restore`, { method: 'POST' }); load(); }));
      }
    } else if (isMe(m)) {
      out.push(button('Leave', 'act-leave danger', async () => {
        if (!confirm('Leave this team? You will no longer see its traffic.')) return;
        await call(`admin/teams/${teamId}/users/${m.user.id}`, { method: 'DELETE' });
        ctx.reload();
      }));
    } else if (can(ctx.me, teamId, 'admin') && mayGrant(m.role)) {
      out.push(button('Remove', 'act-remove danger', async () => {
        if (!confirm(`Remove ${m.user.email} from the team?`)) return;
        await call(`admin/teams/${teamId}/users/${m.user.id}`, { method: 'DELETE' });
        load();
      }));
    }
    return h('span', { class: 'row-actions' }, out);
  }

  function inviteSection() {
    const email = input({ id: 'invite-email', type: 'email', placeholder: 'email@example.com', required: true });
    const role = h('select', { id: 'invite-role', class: 'input' }, ROLES.filter(mayGrant).map((r) => h('option', { value: r }, r)));
    const result = h('div');
    const f = form('invite-form', [email, role], 'Add or invite', async () => {
      const answer = await call(`admin/teams/${teamId}/users`, { method: 'POST', body: { email: email.value.trim(), role: role.value } });
      if (answer.invite) {
        // acceptUrl is the panel's `#/invite/{token}` route, from the server's root.
        const link = location.href.split('#')[0] + answer.invite.acceptUrl.slice(answer.invite.acceptUrl.indexOf('#'));
        fill(result, secretBox('invite-secret', `Invitation for ${email.value.trim()}`,
          `No account has this email yet. Send this link to them; it works once, until ${new Date(answer.invite.expiresAt).toLocaleString()}, and is not shown again.`,
          [['Link', link, 'invite-link'], ['Token', answer.invite.token, 'invite-token']]));
      } else {
        fill(result, h('p', { class: 'small muted', id: 'invite-added' }, `${email.value.trim()} had an account and is now a ${answer.member.role} of the team.`));
      }
      email.value = '';
      load();
    });
    return section('Add a member', null, h('p', { class: 'small muted' }, 'An existing account joins at once; for a new email you get an invitation link to send.'), f, result);
  }

  draw();
}
