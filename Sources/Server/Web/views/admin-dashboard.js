// Admin dashboard: requests and cost per team and per environment over a chosen range
// (/api/stats' environment breakdown, which in shared mode covers the caller's teams only).

import { api } from '../api.js';
import { h, fmtInt, fmtCost } from '../util.js';
import { table, section, fill } from './admin-common.js';

const RANGES = [['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days'], ['', 'All time']];

export function mountDashboard(el, ctx) {
  const range = h('select', { id: 'dash-range', class: 'input' }, RANGES.map(([v, l]) => h('option', { value: v }, l)));
  range.value = sessionStorage.getItem('llmtrace.admin.range') ?? '7d';
  const out = h('div', null, h('div', { class: 'loading' }, 'Loading…'));
  el.append(section('Cost and requests', range, out));
  let destroyed = false;

  async function load() {
    sessionStorage.setItem('llmtrace.admin.range', range.value);
    let stats, envs;
    try {
      [stats, envs] = await Promise.all([api('api/stats', { params: { since: range.value } }), api('admin/environments')]);
    } catch (e) {
      if (!destroyed && e.status !== 401) fill(out, h('div', { class: 'banner error' }, e.message));
      return;
    }
    if (destroyed) return;
    const teamOf = new Map(envs.items.map((e) => [e.envId, e.teamId]));
    const byEnv = new Map(stats.envBreakdown.map((b) => [b.env, b]));
    // Every registered environment, with or without traffic, then traffic of unregistered ones.
    const envRows = envs.items.map((e) => ({ env: e.envId, teamId: e.teamId, s: byEnv.get(e.envId) }));
    for (const b of stats.envBreakdown) if (!teamOf.has(b.env)) envRows.push({ env: b.env, teamId: null, s: b });
    const teams = new Map();
    for (const r of envRows) {
      const t = teams.get(r.teamId) || { requests: 0, cost: 0, errors: 0, envs: 0 };
      t.envs += 1;
      if (r.s) { t.requests += r.s.requests; t.cost += r.s.estimatedCost || 0; t.errors += r.s.errors; }
      teams.set(r.teamId, t);
    }
    for (const t of ctx.teams) if (!teams.has(t.id)) teams.set(t.id, { requests: 0, cost: 0, errors: 0, envs: 0 });
    const teamLabel = (id) => (id ? ctx.teamName(id) : h('span', { class: 'muted' }, 'unregistered'));
    const num = { cls: 'num' };
    fill(out,
      h('div', { class: 'stat-cards' },
        stat('Requests', fmtInt(stats.totalRequests)),
        stat('Cost', fmtCost(stats.estimatedCost)),
        stat('Errors', fmtInt(stats.errors)),
        stat('Teams', fmtInt(ctx.teams.length))),
      h('h3', { class: 'sub-title' }, 'By team'),
      table('dash-teams', [{ label: 'Team' }, { label: 'Environments', ...num }, { label: 'Requests', ...num }, { label: 'Errors', ...num }, { label: 'Cost', ...num }],
        [...teams].sort((a, b) => b[1].cost - a[1].cost || b[1].requests - a[1].requests).map(([id, t]) => ({
          attrs: { 'data-team': id || '' },
          cells: [teamLabel(id), fmtInt(t.envs), fmtInt(t.requests), fmtInt(t.errors), fmtCost(t.cost)],
        })), 'No teams yet.'),
      h('h3', { class: 'sub-title' }, 'By environment'),
      table('dash-envs', [{ label: 'Environment' }, { label: 'Team' }, { label: 'Requests', ...num }, { label: 'Errors', ...num }, { label: 'Cost', ...num }],
        envRows.sort((a, b) => (b.s?.estimatedCost || 0) - (a.s?.estimatedCost || 0) || (b.s?.requests || 0) - (a.s?.requests || 0)).map((r) => ({
          attrs: { 'data-env': r.env },
          cells: [h('a', { href: '#/requests?filter=' + encodeURIComponent('~e ' + r.env), class: 'env-chip' }, r.env), teamLabel(r.teamId),
            fmtInt(r.s ? r.s.requests : 0), fmtInt(r.s ? r.s.errors : 0), fmtCost(r.s ? r.s.estimatedCost : 0)],
        })), 'No environments yet: create one under Environments.'));
  }

  range.addEventListener('change', load);
  load();
  return () => { destroyed = true; };
}

function stat(label, value) {
  return h('div', { class: 'stat-card' }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value mono' }, value));
}
