// Admin: budget alerts. A rule caps the cost of a team or of one environment per day or per month (UTC);
// when it is crossed the live stream says so (a banner) and the rule's webhook, if any, is called.

import { h, fmtCost } from '../util.js';
import { api } from '../api.js';
import { call, can, table, when, button, form, input, teamSelect, section, fill } from './admin-common.js';

export function mountAlerts(el, ctx) {
  const list = h('div', null, h('div', { class: 'loading' }, 'Loading…'));
  const adminTeams = ctx.teams.filter((t) => !t.deletedAt && can(ctx.me, t.id, 'admin'));
  const formArea = h('div');
  el.append(section('Budget alerts', null, list), formArea);
  let envs = [];

  // The team a rule belongs to (an environment rule: its environment's team).
  const teamOf = (r) => r.teamId || (r.scope === 'team' ? r.scopeId : (envs.find((e) => e.id === r.scopeId) || {}).teamId);
  const target = (r) => (r.scope === 'team' ? ctx.teamName(r.scopeId)
    : h('span', { class: 'env-chip' }, (envs.find((e) => e.id === r.scopeId) || { envId: r.scopeId }).envId));

  async function load() {
    let rules;
    try {
      [rules, envs] = await Promise.all([api('admin/alerts'), api('admin/environments').then((x) => x.items)]);
    } catch (e) {
      if (e.status === 404) fill(list, h('div', { class: 'banner error' }, 'This llmtrace server has no budget alerts (GET /admin/alerts is not there): update it.'));
      else if (e.status !== 401) fill(list, h('div', { class: 'banner error' }, e.message));
      return;
    }
    fill(list, table('alerts-table', [{ label: 'Applies to' }, { label: 'Scope' }, { label: 'Window' }, { label: 'Limit', cls: 'num' },
      { label: 'Spent', cls: 'num' }, { label: 'Fired' }, { label: 'Webhook' }, { label: '', cls: 'actions-cell' }],
      rules.items.map((r) => ({
        attrs: { 'data-id': r.id, class: r.firedAt ? 'is-fired' : '' },
        cells: [target(r), r.scope, r.window === 'day' ? 'per day' : 'per month', fmtCost(r.limitUsd),
          r.spentUsd == null ? null : h('span', { class: r.spentUsd > r.limitUsd ? 'warn-text' : '' }, fmtCost(r.spentUsd)),
          r.firedAt ? when(r.firedAt) : h('span', { class: 'muted' }, 'not this window'),
          r.webhookUrl ? h('code', { class: 'small' }, r.webhookUrl) : h('span', { class: 'muted' }, 'none'),
          can(ctx.me, teamOf(r), 'admin') ? button('Delete', 'act-delete danger', async () => {
            if (!confirm('Delete this budget rule?')) return;
            await call('admin/alerts/' + r.id, { method: 'DELETE' });
            load();
          }) : null],
      })), 'No budget rules yet.'));
    if (adminTeams.length) fill(formArea, createSection());
  }

  function createSection() {
    const scope = h('select', { id: 'alert-scope', class: 'input' }, h('option', { value: 'team' }, 'Team'), h('option', { value: 'environment' }, 'Environment'));
    const team = teamSelect('alert-team', adminTeams, null);
    const envSel = h('select', { id: 'alert-env', class: 'input', hidden: true },
      envs.filter((e) => !e.deletedAt && can(ctx.me, e.teamId, 'admin')).map((e) => h('option', { value: e.id }, e.envId)));
    scope.addEventListener('change', () => { team.hidden = scope.value !== 'team'; envSel.hidden = scope.value === 'team'; });
    const win = h('select', { id: 'alert-window', class: 'input' }, h('option', { value: 'day' }, 'per day'), h('option', { value: 'month' }, 'per month'));
    const limit = input({ id: 'alert-limit', type: 'number', min: '0', step: 'any', placeholder: 'limit in USD', required: true });
    const hook = input({ id: 'alert-webhook', type: 'url', placeholder: 'webhook URL (optional)' });
    const f = form('alert-form', [scope, team, envSel, win, limit, hook], 'Add rule', async () => {
      await call('admin/alerts', {
        method: 'POST',
        body: { scope: scope.value, scopeId: scope.value === 'team' ? team.value : envSel.value, window: win.value, limitUsd: Number(limit.value), webhookUrl: hook.value.trim() || undefined },
      });
      limit.value = '';
      hook.value = '';
      load();
    });
    return section('New rule', null, h('p', { class: 'small muted' }, 'Windows are UTC days or calendar months. When the spend in the window first exceeds the limit, the team’s signed-in panels show a banner and the webhook gets the alert as JSON.'), f);
  }

  load();
}
