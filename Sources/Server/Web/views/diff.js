// The request detail's Diff tab: what this turn changed since the previous turn of its session, from
// GET /api/requests/{id}/diff. Added lines green, removed red, changed amber, as a code diff.

import { api } from '../api.js';
import { h, add, clear, fmtInt } from '../util.js';

const plural = (n, one, many = one + 's') => `${fmtInt(n)} ${n === 1 ? one : many}`;

/** A message's text, its tool calls (`→ name(args)`) and results (`← …`) marked as such. */
function body(m, kind) {
  const lines = (m.text || '').split('\n');
  const out = [];
  let text = [];
  const flush = () => { if (text.length) out.push(h('div', { class: 'msg-text' }, text.join('\n'))); text = []; };
  for (const line of lines) {
    if (line.startsWith('→ ')) { flush(); out.push(h('div', { class: 'diff-line diff-call ' + kind }, '⚙ ' + line.slice(2))); }
    else if (line.startsWith('← ')) { flush(); out.push(h('div', { class: 'diff-line diff-result ' + kind }, '↩ ' + line.slice(2))); }
    else text.push(line);
  }
  flush();
  if (!out.length) out.push(h('div', { class: 'faint small' }, '(empty)'));
  // A tool message's content is its result.
  if (m.role === 'tool' && out.length === 1 && !lines[0].startsWith('← ')) return [h('div', { class: 'diff-line diff-result ' + kind }, '↩ ' + m.text)];
  return out;
}

function message(m, kind) {
  return h('div', { class: 'diff-msg ' + kind, dataset: { role: m.role, index: m.index } },
    h('span', { class: 'sign', 'aria-label': kind === 'add' ? 'added' : 'removed' }, kind === 'add' ? '+' : '−'),
    h('div', { class: 'diff-role' }, m.role || 'message', h('div', { class: 'faint' }, '#' + m.index)),
    h('div', { class: 'diff-body' }, body(m, kind)));
}

function section(title, ...kids) {
  return h('section', { class: 'diff-section' }, h('h3', null, title), ...kids);
}

/** The diff, drawn. */
export function drawDiff(d) {
  const first = !d.previousId;
  const chips = [
    first ? null : h('span', { class: 'chip diff-chip' }, plural(d.commonMessages, 'message') + ' kept'),
    h('span', { class: 'chip diff-chip add' }, '+' + plural(d.added.length, 'message')),
    d.removed.length ? h('span', { class: 'chip diff-chip del' }, '−' + plural(d.removed.length, 'message')) : null,
    d.system ? h('span', { class: 'chip diff-chip chg' }, 'system prompt changed') : null,
    d.toolsAdded.length + d.toolsRemoved.length + d.toolsChanged.length ? h('span', { class: 'chip diff-chip chg' }, 'tools changed') : null,
    d.parameters.length ? h('span', { class: 'chip diff-chip chg' }, plural(d.parameters.length, 'parameter') + ' changed') : null,
  ];
  const head = h('div', { class: 'diff-head' },
    h('span', null, d.turn != null ? h('b', null, `Turn ${d.turn}`) : null, d.sessionId ? [' of ', h('a', { href: '#/sessions/' + encodeURIComponent(d.sessionId), class: 'mono' }, d.sessionId)] : null,
      first ? ' — the first turn: everything is new.' : [' · since ', h('a', { href: '#/requests/' + encodeURIComponent(d.previousId), class: 'mono', id: 'diff-previous' }, d.previousId)]),
    h('span', { class: 'spacer' }), chips);
  const out = h('div', { class: 'diff', id: 'diff' }, head);

  if (d.parameters.length) {
    out.append(section('Parameters', h('table', { class: 'headers diff-params', id: 'diff-params' }, h('tbody', null, d.parameters.map((p) =>
      h('tr', { dataset: { name: p.name } }, h('td', { class: 'mono h-name' }, p.name),
        h('td', null, p.before === 'null' ? h('span', { class: 'faint small' }, 'not set') : h('span', { class: 'diff-line del before' }, p.before),
          h('span', { class: 'diff-arrow' }, '→'),
          p.after === 'null' ? h('span', { class: 'faint small' }, 'removed') : h('span', { class: 'diff-line add after' }, p.after))))))));
  }
  if (d.system) {
    out.append(section('System prompt', h('div', { class: 'diff-msgs', id: 'diff-system' },
      d.system.before !== 'null' ? h('div', { class: 'diff-line del' }, '− ' + d.system.before) : null,
      d.system.after !== 'null' ? h('div', { class: 'diff-line add' }, '+ ' + d.system.after) : null)));
  }
  const tools = [...d.toolsAdded.map((t) => ['add', '+ ', t]), ...d.toolsRemoved.map((t) => ['del', '− ', t]), ...d.toolsChanged.map((t) => ['chg', '~ ', t + ' (definition changed)'])];
  if (tools.length) {
    out.append(section('Tools', h('div', { class: 'diff-head', id: 'diff-tools' }, tools.map(([k, sign, t]) => h('span', { class: 'chip diff-chip ' + k }, sign + t)))));
  }
  const msgs = h('div', { class: 'diff-msgs', id: 'diff-messages' });
  if (!first && d.commonMessages) msgs.append(h('div', { class: 'diff-kept small' }, `⋯ ${plural(d.commonMessages, 'message')} as in the previous turn`));
  for (const m of d.removed) msgs.append(message(m, 'del'));
  for (const m of d.added) msgs.append(message(m, 'add'));
  if (!d.added.length && !d.removed.length) msgs.append(h('div', { class: 'muted small' }, 'The same messages as the previous turn.'));
  out.append(section('Messages', msgs));
  return out;
}

/** The Diff tab's content for record `r`: loads its diff and draws it into the box it returns. */
export function diffPanel(r) {
  const box = h('div', { class: 'diff-wrap' }, h('div', { class: 'loading' }, 'Loading the diff…'));
  api('api/requests/' + encodeURIComponent(r.id) + '/diff').then(
    (d) => add(clear(box), drawDiff(d)),
    (e) => { if (e.status !== 401) add(clear(box), h('div', { class: 'banner error' }, 'Could not load the diff: ' + e.message)); });
  return box;
}
