// The admin pages of shared mode (#/admin/…): a tab row, then one page. Each page gets the caller
// (/admin/me), the teams they see (/admin/teams) and the hash parameters.

import { api } from '../api.js';
import { h, add, clear } from '../util.js';
import { mountDashboard } from './admin-dashboard.js';
import { mountTeams } from './admin-teams.js';
import { mountMembers } from './admin-members.js';
import { mountEnvironments } from './admin-environments.js';
import { mountUsers } from './admin-users.js';
import { mountAlerts } from './admin-alerts.js';
import { mountAudit } from './admin-audit.js';

const PAGES = [
  { id: 'dashboard', label: 'Dashboard', mount: mountDashboard },
  { id: 'teams', label: 'Teams', mount: mountTeams },
  { id: 'members', label: 'Members', mount: mountMembers },
  { id: 'environments', label: 'Environments', mount: mountEnvironments },
  { id: 'users', label: 'Users', mount: mountUsers, show: (me) => me.user.systemAdmin },
  { id: 'alerts', label: 'Alerts', mount: mountAlerts },
  { id: 'audit', label: 'Audit', mount: mountAudit, show: (me) => me.user.systemAdmin || me.teams.some((t) => t.role !== 'member') },
];

export function mountAdmin(main, { page, params, navigate }) {
  const tabs = h('nav', { class: 'tabs admin-tabs', 'aria-label': 'Admin pages' });
  const body = h('div', { class: 'admin-body' }, h('div', { class: 'loading' }, 'Loading…'));
  const el = h('div', { class: 'view-admin' }, tabs, body);
  main.append(el);
  let destroyed = false;
  let unmountPage = null;

  async function load() {
    let me, teams;
    try {
      [me, teams] = await Promise.all([api('admin/me'), api('admin/teams')]);
    } catch (e) {
      if (!destroyed && e.status !== 401) add(clear(body), h('div', { class: 'banner error' }, e.message));
      return;
    }
    if (destroyed) return;
    const visible = PAGES.filter((p) => !p.show || p.show(me));
    const current = visible.find((p) => p.id === page) || visible[0];
    add(clear(tabs), visible.map((p) =>
      h('a', { class: 'tab', href: '#/admin/' + p.id, id: 'tab-' + p.id, 'aria-selected': String(p === current) }, p.label)));
    if (unmountPage) { unmountPage(); unmountPage = null; }
    clear(body);
    const ctx = {
      /** Mounts the page again with a fresh /admin/me (after a change to the caller's teams). */
      reload() { load(); },
      me,
      teams: teams.items,
      params,
      navigate,
      teamName(id) { const t = teams.items.find((x) => x.id === id); return t ? t.slug : id; },
    };
    unmountPage = current.mount(body, ctx) || null;
  }
  load();
  return () => {
    destroyed = true;
    if (unmountPage) unmountPage();
    el.remove();
  };
}
