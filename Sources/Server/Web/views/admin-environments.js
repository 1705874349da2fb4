// Admin: environments, the names traffic is proxied under. Team admins create them (the ingest key is
// shown once), rotate the key, limit the upstreams its traffic may reach, delete and restore.

import { h } from '../util.js';
import { call, can, table, when, deletedBadge, showDeleted, button, form, input, teamSelect, secretBox, section, fill } from './admin-common.js';

/** The proxy's base URL for an environment, on this server (and under the panel's prefix, if any). */
function proxyBase(env, key) {
  const path = env.proxyBaseUrl + (key ? ':' + key : '');
  return new URL('.' + path, document.baseURI).toString();
}

/** Upstream patterns typed as one line: split at commas and white space. */
function splitPatterns(text) {
  return text.split(/[\s,]+/).filter(Boolean);
}

export function mountEnvironments(el, ctx) {
  let withDeleted = false;
  const list = h('div', null, h('div', { class: 'loading' }, 'Loading…'));
  const secret = h('div');
  const adminTeams = ctx.teams.filter((t) => !t.deletedAt && can(ctx.me, t.id, 'admin'));
  el.append(secret, section('Environments', showDeleted('Show deleted', false, (on) => { withDeleted = on; load(); }), list));
  if (adminTeams.length) el.append(createSection());

  function showKey(env, key) {
    const base = proxyBase(env, key);
    fill(secret, secretBox('env-secret', `Ingest key of ${env.envId}`,
      'Shown once: llmtrace keeps only its hash. Put it in the base URL (or send it as the x-llmtrace-key header).',
      [['Key', key, 'ingest-key'], ['OpenAI base URL', base + '/https/api.openai.com/v1', 'proxy-url']]));
    secret.scrollIntoView({ block: 'nearest' });
  }

  async function load() {
    const envs = await call('admin/environments', { params: { includeDeleted: withDeleted ? 1 : undefined } });
    fill(list, table('envs-table', [{ label: 'Environment' }, { label: 'Name' }, { label: 'Team' }, { label: 'Key' }, { label: 'Upstreams' }, { label: 'Proxy base URL' }, { label: 'Created' }, { label: '', cls: 'actions-cell' }],
      envs.items.map((e) => ({
        attrs: { 'data-id': e.id, 'data-env': e.envId, class: e.deletedAt ? 'is-deleted' : '' },
        cells: [h('span', null, h('span', { class: 'env-chip' }, e.envId), ' ', deletedBadge(e)), e.name || null, ctx.teamName(e.teamId),
          e.requireKey ? 'required' : h('span', { class: 'muted' }, 'none'),
          (e.allowUpstreams || []).length ? h('code', { class: 'small env-upstreams' }, e.allowUpstreams.join(', ')) : h('span', { class: 'muted env-upstreams' }, 'server policy'),
          h('code', { class: 'small proxy-base' }, proxyBase(e) + (e.requireKey ? ':KEY' : '') + '/…'), when(e.createdAt), actions(e)],
      })), 'No environments yet.'));
  }

  function actions(e) {
    if (!can(ctx.me, e.teamId, 'admin')) return null;
    if (e.deletedAt) {
      return button('Restore', 'act-restore', async () => { await call(`admin/environments/${e.id}/restore`, { method: 'POST' }); load(); });
    }
    return h('span', { class: 'row-actions' },
      e.requireKey ? button('Rotate key', 'act-rotate', async () => {
        if (!confirm(`Rotate the ingest key of ${e.envId}? The current key stops working at once.`)) return;
        const { ingestKey } = await call(`admin/environments/${e.id}/rotate-key`, { method: 'POST' });
        showKey(e, ingestKey);
      }) : null,
      button('Upstreams', 'act-upstreams', async () => {
        const answer = prompt(`Upstreams ${e.envId} may reach, separated by commas (host globs such as *.openai.com, localhost:11434, or blocks such as 10.0.0.0/8). Empty: what the server allows.`, (e.allowUpstreams || []).join(', '));
        if (answer === null) return;
        await call('admin/environments/' + e.id, { method: 'PATCH', body: { allowUpstreams: splitPatterns(answer) } });
        load();
      }),
      button('Delete', 'act-delete danger', async () => {
        if (!confirm(`Delete ${e.envId}? The proxy refuses its traffic from then on; its records stay.`)) return;
        await call('admin/environments/' + e.id, { method: 'DELETE' });
        load();
      }));
  }

  function createSection() {
    const envId = input({ id: 'env-id', placeholder: 'envId (e.g. payments-prod)', required: true });
    const name = input({ id: 'env-name', placeholder: 'Display name' });
    const team = teamSelect('env-team', adminTeams, ctx.params.get('team'));
    const upstreams = input({ id: 'env-upstreams', placeholder: 'Allowed upstreams (optional)', title: 'Host globs or address blocks, separated by commas: *.openai.com, localhost:11434, 10.0.0.0/8' });
    const keyBox = h('input', { type: 'checkbox', id: 'env-require-key', checked: true });
    const f = form('env-form', [envId, name, team, upstreams, h('label', { class: 'check' }, keyBox, ' Require an ingest key')], 'Create environment', async () => {
      const body = { envId: envId.value.trim(), teamId: team.value, name: name.value.trim() || undefined, requireKey: keyBox.checked, allowUpstreams: splitPatterns(upstreams.value) };
      const env = await call('admin/environments', { method: 'POST', body });
      envId.value = '';
      name.value = '';
      upstreams.value = '';
      if (env.ingestKey) showKey(env, env.ingestKey);
      else fill(secret);
      load();
    });
    return section('New environment', null, f);
  }

  load().catch(() => {});
}
