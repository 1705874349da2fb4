// One request (#/requests/{id}): overview, usage and cost, the conversation (growing live while the
// response streams), request and response bodies, headers, copy as curl, download as JSON.

import { api, live } from '../api.js';
import { h, clear, add, fmtInt, fmtCost, fmtMs, fmtDateTime, ago, inFlight, statusClass, isError, toast, copyText, dash } from '../util.js';
import { parseConversation } from '../conversation.js';
import { highlightJSON, tryParse, bodyText, parseSSE, looksLikeSSE, looksLikeNDJSON, renderEvents } from '../json.js';
import { liveText, startEvent } from '../store.js';

// --- copy as curl --------------------------------------------------------------------------------

const KEY_VARS = [
  [/azure/, 'AZURE_OPENAI_API_KEY'], [/anthropic/, 'ANTHROPIC_API_KEY'], [/gemini|googleapis|generativelanguage/, 'GEMINI_API_KEY'],
  [/openrouter/, 'OPENROUTER_API_KEY'], [/groq/, 'GROQ_API_KEY'], [/together/, 'TOGETHER_API_KEY'], [/deepseek/, 'DEEPSEEK_API_KEY'],
  [/mistral/, 'MISTRAL_API_KEY'], [/x\.ai|xai/, 'XAI_API_KEY'], [/fireworks/, 'FIREWORKS_API_KEY'], [/perplexity/, 'PERPLEXITY_API_KEY'],
  [/cohere/, 'COHERE_API_KEY'], [/openai/, 'OPENAI_API_KEY'],
];

/** The environment variable a user would hold this provider's key in. */
export function keyVar(r) {
  const hay = `${r.provider || ''} ${r.host || ''}`.toLowerCase();
  for (const [re, v] of KEY_VARS) if (re.test(hay)) return v;
  if (r.endpoint && /chat|completions|responses|embeddings/.test(r.endpoint)) return 'OPENAI_API_KEY';
  return 'API_KEY';
}

const sq = (s) => "'" + String(s).replace(/'/g, "'\\''") + "'";
const dq = (s) => '"' + String(s).replace(/(["\\$`])/g, '\\$1') + '"';
const SKIP_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'accept-encoding', 'expect', 'cookie',
  'proxy-authorization', 'te', 'keep-alive', 'upgrade', 'proxy-connection', 'trailer']);
const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'api-key', 'x-goog-api-key']);

/** A curl command for the original upstream call; secrets become `$VARS`, never the redacted value. */
export function curlFor(r) {
  const v = keyVar(r);
  let url = `${r.scheme}://${r.host}${r.path || '/'}`;
  let urlArg;
  if (r.query) {
    const hasKey = /(^|&)key=/i.test(r.query);
    const q = r.query.replace(/(^|&)(key=)[^&]*/gi, '$1$2__KEYVAR__');
    urlArg = dq(url + '?' + q).replace('__KEYVAR__', '$' + v);
    if (!hasKey) urlArg = sq(url + '?' + r.query);
  } else urlArg = sq(url);
  const lines = [`curl${r.stream ? ' -N' : ''} -X ${r.method || 'POST'} ${urlArg}`];
  for (const { name, value } of r.requestHeaders || []) {
    const n = name.toLowerCase();
    if (SKIP_HEADERS.has(n)) continue;
    if (SECRET_HEADERS.has(n) || /<redacted/.test(value)) {
      const display = n === 'authorization' ? 'Authorization' : name;
      const val = n === 'authorization' ? (/^basic/i.test(value) ? 'Basic $' + v : 'Bearer $' + v) : '$' + v;
      lines.push(`-H "${display}: ${val}"`);
      continue;
    }
    lines.push(`-H ${sq(name + ': ' + value)}`);
  }
  const b = r.requestBody;
  if (b && b.content != null) {
    if (b.encoding === 'base64') lines.push('--data-binary @request-body.bin   # binary body: save it from the JSON download');
    else lines.push(`--data-raw ${sq(b.content)}`);
    if (b.truncated) lines.push('# note: the captured body was cut at --max-body; this is not the whole body');
  }
  return lines.join(' \\\n  ');
}

function downloadJSON(r) {
  const blob = new Blob([JSON.stringify(r, null, 2)], { type: 'application/json' });
  const a = h('a', { href: URL.createObjectURL(blob), download: `llmtrace-${r.id}.json` });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// --- the view ------------------------------------------------------------------------------------

const ROLE_LABEL = { system: 'System', user: 'User', assistant: 'Assistant', tool: 'Tool' };

function fmtBytes(n) {
  if (n == null) return dash;
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1048576).toFixed(1) + ' MiB';
}

function collapsible(node, text) {
  const lines = text.split('\n').length;
  if (text.length < 1800 && lines < 30) return node;
  const wrap = h('div', { class: 'collapsible collapsed' }, node);
  const btn = h('button', { type: 'button', class: 'linkish small expand' }, `Show all (${fmtInt(lines)} lines)`);
  btn.addEventListener('click', () => {
    const c = wrap.classList.toggle('collapsed');
    btn.textContent = c ? `Show all (${fmtInt(lines)} lines)` : 'Show less';
  });
  return [wrap, btn];
}

function resultBody(text) {
  const parsed = /^\s*[[{]/.test(text) ? tryParse(text) : undefined;
  if (parsed !== undefined && parsed !== null && typeof parsed === 'object') {
    const pretty = JSON.stringify(parsed, null, 2);
    return collapsible(highlightJSON(pretty, 'json args'), pretty);
  }
  return collapsible(h('div', { class: 'msg-text mono-text' }, text), text);
}

function renderPart(p) {
  switch (p.kind) {
    case 'text': return collapsible(h('div', { class: 'msg-text' }, p.text), p.text);
    case 'thinking': return h('details', { class: 'thinking' }, h('summary', null, 'Thinking'), h('div', { class: 'msg-text' }, p.text));
    case 'media': return h('div', { class: 'media-chip' }, '▣ ' + p.label);
    case 'call': return h('div', { class: 'tool-call' },
      h('div', { class: 'tool-head' }, h('span', { class: 'tool-icon' }, '⚙'), h('span', { class: 'mono tool-name' }, (p.name || 'tool') + '()'),
        p.id ? h('span', { class: 'mono faint small' }, p.id) : null),
      p.args ? collapsible(highlightJSON(p.args, 'json args'), p.args) : null);
    case 'result': return h('div', { class: 'tool-result' + (p.isError ? ' is-error' : '') },
      h('div', { class: 'tool-head' }, h('span', { class: 'tool-icon' }, '↩'), h('span', { class: 'small' }, p.isError ? 'Tool error' : 'Tool result'),
        p.name ? h('span', { class: 'mono small' }, p.name) : null, p.id ? h('span', { class: 'mono faint small' }, p.id) : null),
      resultBody(p.content || ''));
    default: return null;
  }
}

function bubble(role, parts, extra = {}) {
  return h('div', { class: `msg msg-${role}` + (extra.cls ? ' ' + extra.cls : '') },
    h('div', { class: 'msg-role' }, ROLE_LABEL[role] || role, extra.label ? h('span', { class: 'msg-label' }, extra.label) : null),
    h('div', { class: 'msg-body' }, parts));
}

/** Loads view module `path` on first use and appends what `make(module)` returns, while `still()`. */
function lazyInto(box, still, path, make) {
  const wait = h('div', { class: 'loading' }, 'Loading…');
  box.append(wait);
  import(path).then((m) => { wait.remove(); if (still()) box.append(make(m)); },
    (e) => { wait.remove(); box.append(h('div', { class: 'banner error' }, 'Could not load this part of the panel: ' + e.message)); });
}

export function mountDetail(root, { id, backHash }) {
  let record = null;
  let closeLive = null;
  let destroyed = false;
  let tab = sessionStorage.getItem('llmtrace.tab') || 'conversation';
  // live text: base (what the record/cached text had) + deltas after the overlap
  let base = '', deltas = [], cum = '', skip = 0, overlapDone = false;
  let answerText = null; // the text node of the growing answer
  let tickTimer = null;
  let replayBox = null;
  let tabSeq = 0;

  const el = h('section', { class: 'view view-detail' }, h('div', { class: 'loading' }, 'Loading…'));
  root.append(el);

  function liveAnswer() {
    return base + deltas.slice(skip).join('');
  }
  function addDelta(t) {
    deltas.push(t);
    if (!overlapDone) {
      cum += t;
      if (cum.length > base.length) overlapDone = true;
      else if (base.endsWith(cum)) skip = deltas.length;
    }
    if (answerText) {
      answerText.nodeValue = liveAnswer();
      const waiting = el.querySelector('.answer-waiting');
      if (waiting) waiting.remove();
    }
  }

  let loadSeq = 0;
  async function load() {
    const mine = ++loadSeq;
    try {
      const r = await api('api/requests/' + encodeURIComponent(id));
      if (destroyed || mine !== loadSeq) return; // a newer read is on its way
      record = r;
      if (inFlight(r)) {
        base = r.text || '';
        if (!startEvent.has(id)) base = base || liveText.get(id) || '';
        cum = ''; skip = 0; overlapDone = false;
        const d = deltas; deltas = [];
        for (const t of d) addDelta(t);
        follow();
      } else if (closeLive) { closeLive(); closeLive = null; }
      render();
    } catch (e) {
      if (destroyed || e.status === 401 || mine !== loadSeq) return;
      add(clear(el), h('div', { class: 'empty' },
        h('div', { class: 'empty-title' }, e.status === 404 ? 'Request not found' : 'Could not load this request'),
        h('div', { class: 'muted' }, e.message),
        h('a', { href: '#/requests', class: 'btn' }, '← All requests')));
    }
  }

  function follow() {
    if (closeLive) return;
    const from = startEvent.get(id);
    closeLive = live(from ? { lastEventId: from } : {}, {
      onEvent(name, data) {
        if (name === 'request.delta' && data.id === id) addDelta(data.text || '');
        else if (name === 'request.updated' && data.id === id) load();
        else if (name === 'request.completed' && data.id === id) load();
        else if (name === 'resync' || name === 'cleared') load();
      },
      // (Re)read the record once the stream is open, so nothing falls between the two.
      onOpen() { load(); },
    });
  }

  function overview(r) {
    const url = `${r.scheme}://${r.host}${r.path}${r.query ? '?' + r.query : ''}`;
    const rb = r.requestBody, sb = r.responseBody;
    const rows = [
      ['ID', h('span', { class: 'mono' }, r.id)],
      ['Started', h('span', { title: `${r.startedAt} (UTC) · ${ago(r.startedAt)}` }, fmtDateTime(r.startedAt))],
      ['Environment', h('span', { class: 'env-chip' }, r.env)],
      ['Request', h('span', { class: 'mono break' }, h('b', null, r.method + ' '), url)],
      ['Provider', r.provider || dash],
      ['Endpoint', h('span', { class: 'mono' }, r.endpoint || dash)],
      ['Model', h('span', { class: 'mono' }, r.model || dash)],
      ['Streamed', r.stream ? 'yes' : inFlight(r) ? dash : 'no'],
      ['Status', h('span', { class: 'status st-' + statusClass(r), id: 'detail-status' }, inFlight(r)
        ? [h('span', { class: 'spinner' }), r.status == null ? ' waiting for the upstream…' : ` ${r.status} · ${r.stream ? 'streaming' : 'receiving'}…`]
        : String(r.status ?? dash))],
      r.error ? ['Error', h('span', { class: 'err-text' }, h('b', null, r.error.type || 'error'), ': ' + (r.error.message || ''))] : null,
      ['Duration', h('span', { class: 'mono' + (inFlight(r) ? ' ticking' : ''), id: 'detail-duration' }, inFlight(r) ? fmtMs(Date.now() - Date.parse(r.startedAt)) : fmtMs(r.durationMs))],
      ['TTFT', h('span', { class: 'mono' }, fmtMs(r.ttftMs))],
      ['Finish reason', h('span', { class: 'mono' }, r.finishReason || dash)],
      ['Complete', r.complete ? 'yes' : inFlight(r) ? 'streaming…' : h('span', { class: 'err-text' }, 'no (cut off)')],
      ['Request body', rb ? `${fmtBytes(rb.size)}${rb.truncated ? ' · truncated' : ''}${rb.encoding === 'base64' ? ' · binary' : ''}` : dash],
      ['Response body', sb ? `${fmtBytes(sb.size)}${sb.decodedFrom ? ' · ' + sb.decodedFrom : ''}${sb.truncated ? ' · truncated' : ''}${sb.encoding === 'base64' ? ' · binary' : ''}` : dash],
    ].filter(Boolean);
    return h('div', { class: 'card' }, h('h2', { class: 'card-title' }, 'Overview'),
      h('dl', { class: 'kv' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])));
  }

  function usageCard(r) {
    const u = r.usage || {};
    const cb = r.costBreakdown || {};
    const cached = u.cachedInputTokens, write = u.cacheCreationTokens;
    const fresh = u.inputTokens != null ? Math.max(0, u.inputTokens - (cached || 0) - (write || 0)) : null;
    const reasoning = u.reasoningTokens;
    const segs = [
      ['input', 'Input (uncached)', fresh], ['cached', 'Cached input', cached], ['write', 'Cache write', write],
      ['reasoning', 'Reasoning', reasoning], ['output', 'Output (visible)', u.outputTokens != null ? Math.max(0, u.outputTokens - (reasoning || 0)) : null],
    ];
    const total = segs.reduce((a, [, , n]) => a + (n || 0), 0);
    const bar = h('div', { class: 'token-bar', 'aria-hidden': 'true' },
      total ? segs.filter(([, , n]) => n).map(([k, label, n]) => h('span', { class: 'seg seg-' + k, style: { flexGrow: String(n) }, title: `${label}: ${fmtInt(n)}` })) : null);
    const row = (k, label, n, cost, sub) => h('tr', { class: sub ? 'sub' : '' },
      h('td', null, k ? h('span', { class: 'swatch seg-' + k }) : null, label),
      h('td', { class: 'num mono' }, fmtInt(n)),
      h('td', { class: 'num mono faint-2' }, cost === undefined ? '' : fmtCost(cost)));
    const noUsage = u.inputTokens == null && u.outputTokens == null;
    return h('div', { class: 'card' }, h('h2', { class: 'card-title' }, 'Usage & cost'),
      noUsage ? h('div', { class: 'muted small' }, inFlight(r) ? 'Arrives when the response ends.' : 'No usage reported on the wire.') : bar,
      h('table', { class: 'usage' },
        h('tbody', null,
          row('', 'Input tokens', u.inputTokens, cb.input),
          row('cached', 'cached reads', cached, cb.cachedInput, true),
          row('write', 'cache writes', write, cb.cacheCreation, true),
          row('', 'Output tokens', u.outputTokens, cb.output),
          row('reasoning', 'reasoning', reasoning, cb.reasoning, true),
          row('', 'Total tokens', u.totalTokens)),
        h('tfoot', null, h('tr', null, h('td', null, 'Estimated cost'), h('td', { class: 'num mono cost-total', colspan: '2' },
          fmtCost(r.estimatedCost), r.estimatedCost == null && !noUsage ? h('div', { class: 'faint small' }, 'model not in the price table') : null)))));
  }

  function conversation(r) {
    const box = h('div', { class: 'chat', id: 'conversation' });
    const reqText = bodyText(r.requestBody);
    const parsed = reqText != null ? parseConversation(tryParse(reqText)) : null;
    if (parsed) {
      let toolsShown = false;
      const showTools = () => {
        toolsShown = true;
        if (!parsed.tools || !parsed.tools.length) return;
        const names = parsed.tools.map((t) => (t.function && t.function.name) || t.name || t.type || 'tool');
        box.append(h('details', { class: 'tools-offered' }, h('summary', null, `${parsed.tools.length} tool${parsed.tools.length > 1 ? 's' : ''} offered: `, h('span', { class: 'mono' }, names.join(', '))),
          highlightJSON(JSON.stringify(parsed.tools, null, 2))));
      };
      for (const m of parsed.messages) {
        if (!toolsShown && m.role !== 'system') showTools();
        box.append(bubble(m.role, m.parts.map(renderPart)));
      }
      if (!toolsShown) showTools();
    } else if (reqText) {
      box.append(h('div', { class: 'muted small' }, 'The request body is not a chat this panel knows; see the Request tab.'));
    }
    // The answer
    const liveNow = inFlight(r);
    const text = liveNow ? liveAnswer() : r.text || '';
    const parts = [];
    answerText = document.createTextNode(text);
    const textEl = h('div', { class: 'msg-text answer-text', id: 'answer-text' }, answerText, liveNow ? h('span', { class: 'caret' }) : null);
    parts.push(textEl);
    if (liveNow && !text) parts.push(h('div', { class: 'faint small answer-waiting' }, 'waiting for the first token…'));
    for (const tc of r.toolCalls || []) parts.push(renderPart({ kind: 'call', id: tc.id, name: tc.name, args: (() => { const p = tryParse(tc.arguments); return p !== undefined ? JSON.stringify(p, null, 2) : tc.arguments || ''; })() }));
    if (!liveNow && !text && !(r.toolCalls || []).length && !r.error) parts.push(h('div', { class: 'faint small' }, 'no text in the response'));
    if (r.error && !text) {
      box.append(bubble('assistant', [h('div', { class: 'err-text' }, h('b', null, r.error.type || 'error'), ': ' + (r.error.message || ''))], { cls: 'is-error', label: r.status ? 'HTTP ' + r.status : '' }));
    } else {
      box.append(bubble('assistant', parts, { cls: 'answer' + (liveNow ? ' is-live' : ''), label: liveNow ? 'streaming…' : r.finishReason ? r.finishReason : '' }));
      if (r.error) box.append(h('div', { class: 'banner error' }, `${r.error.type}: ${r.error.message}`));
    }
    return box;
  }

  function bodyPanel(body, headers, which, r) {
    const text = bodyText(body);
    const wrap = h('div', { class: 'body-panel' });
    if (which === 'request') {
      wrap.append(h('div', { class: 'url-line mono' }, h('b', null, r.method + ' '), `${r.scheme}://${r.host}${r.path}${r.query ? '?' + r.query : ''}`));
    }
    if (!body) {
      wrap.append(h('div', { class: 'muted' }, which === 'response' && inFlight(r) ? 'The response body is stored when the stream ends — watch the Conversation tab meanwhile.' : 'No body.'));
      return wrap;
    }
    const meta = [fmtBytes(body.size), body.encoding, body.decodedFrom ? 'decoded from ' + body.decodedFrom : null, body.truncated ? 'truncated at --max-body' : null].filter(Boolean).join(' · ');
    wrap.append(h('div', { class: 'faint small body-meta' }, meta));
    if (text == null) {
      wrap.append(h('pre', { class: 'json' }, body.content ? body.content.slice(0, 20000) + (body.content.length > 20000 ? '…' : '') : ''));
      return wrap;
    }
    const parsed = tryParse(text);
    if (parsed !== undefined) {
      wrap.append(highlightJSON(JSON.stringify(parsed, null, 2)));
    } else if (which === 'response' && looksLikeSSE(text, headers)) {
      const events = parseSSE(text);
      const raw = h('pre', { class: 'json', hidden: true }, text);
      const list = renderEvents(events);
      const toggle = h('div', { class: 'seg-toggle' },
        h('button', { type: 'button', class: 'on', onclick: (e) => { list.hidden = false; raw.hidden = true; e.target.classList.add('on'); e.target.nextSibling.classList.remove('on'); } }, `${events.length} events`),
        h('button', { type: 'button', onclick: (e) => { list.hidden = true; raw.hidden = false; e.target.classList.add('on'); e.target.previousSibling.classList.remove('on'); } }, 'Raw'));
      wrap.append(toggle, list, raw);
    } else if (which === 'response' && looksLikeNDJSON(text, headers)) {
      wrap.append(renderEvents(text.trim().split('\n').map((l) => ({ data: l }))));
    } else {
      wrap.append(h('pre', { class: 'json' }, text));
    }
    return wrap;
  }

  function headersPanel(r) {
    const table = (title, list) => h('div', { class: 'headers-block' }, h('h3', null, title),
      list && list.length ? h('table', { class: 'headers' }, h('tbody', null, list.map(({ name, value }) =>
        h('tr', null, h('td', { class: 'mono h-name' }, name), h('td', { class: 'mono h-value' + (/<redacted/.test(value) ? ' redacted' : '') }, value)))))
        : h('div', { class: 'muted small' }, 'none'));
    return h('div', { class: 'headers-panel' }, table('Request headers', r.requestHeaders), table('Response headers', r.responseHeaders));
  }

  function render() {
    const r = record;
    const scroll = window.scrollY;
    clear(el);
    const curlBox = h('div', { class: 'curl-box', hidden: true });
    // The replay form survives re-renders of a record in flight: it holds what the user typed.
    if (!replayBox) replayBox = h('div', { class: 'replay-box', id: 'replay-box', hidden: true });
    const tabs = [['conversation', 'Conversation'], ['request', 'Request'], ['response', 'Response'], ['headers', 'Headers']];
    if (r.sessionId) tabs.splice(1, 0, ['diff', 'Diff']);
    const panel = h('div', { class: 'tab-panel', role: 'tabpanel' });
    const tabBar = h('div', { class: 'tabs', role: 'tablist' });
    const showTab = (t) => {
      tab = t;
      tabSeq++;
      sessionStorage.setItem('llmtrace.tab', t);
      for (const b of tabBar.children) b.setAttribute('aria-selected', String(b.dataset.tab === t));
      clear(panel);
      if (t !== 'conversation') answerText = null;
      if (t === 'conversation') panel.append(conversation(r));
      else if (t === 'request') panel.append(bodyPanel(r.requestBody, r.requestHeaders, 'request', r));
      else if (t === 'response') panel.append(bodyPanel(r.responseBody, r.responseHeaders, 'response', r));
      else if (t === 'diff') { const mine = ++tabSeq; lazyInto(panel, () => mine === tabSeq && !destroyed, './diff.js', (m) => m.diffPanel(r)); }
      else panel.append(headersPanel(r));
    };
    for (const [t, label] of tabs) {
      tabBar.append(h('button', { type: 'button', role: 'tab', class: 'tab', dataset: { tab: t }, onclick: () => showTab(t) }, label));
    }

    const title = h('div', { class: 'detail-title' },
      h('h1', { class: 'mono' }, r.model || r.endpoint || r.path),
      h('div', { class: 'detail-sub' },
        h('span', { class: 'status big st-' + statusClass(r) }, inFlight(r) ? [h('span', { class: 'spinner' }), 'streaming'] : String(r.status ?? (r.error ? 'ERR' : dash))),
        h('span', { class: 'env-chip' }, r.env), r.provider ? h('span', { class: 'chip' }, r.provider) : null,
        r.sessionId ? h('a', { class: 'chip', id: 'detail-session', href: '#/sessions/' + encodeURIComponent(r.sessionId), title: 'session ' + r.sessionId }, `session · turn ${r.turn ?? '?'}`) : null,
        r.replayOf ? h('a', { class: 'chip replay-chip', href: '#/requests/' + encodeURIComponent(r.replayOf), title: 'the request this one re-sent' }, 'replay of ' + r.replayOf) : null,
        r.endpoint ? h('span', { class: 'chip mono' }, r.endpoint) : null,
        h('span', { class: 'faint mono small' }, fmtMs(r.durationMs)), h('span', { class: 'faint mono small' }, fmtCost(r.estimatedCost))));
    const actions = h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn', id: 'copy-curl', onclick: async () => {
        const cmd = curlFor(r);
        add(clear(curlBox), h('div', { class: 'curl-head' }, h('span', { class: 'small muted' }, `Set $${keyVar(r)} first — the key is never stored.`),
          h('button', { type: 'button', class: 'linkish small', onclick: () => { curlBox.hidden = true; } }, 'close')), h('pre', { class: 'code', id: 'curl-text' }, cmd));
        curlBox.hidden = false;
        toast((await copyText(cmd)) ? 'curl command copied' : 'Select the command below to copy it');
      } }, 'Copy as curl'),
      h('button', { type: 'button', class: 'btn', id: 'replay', title: 'Send this request again with your key and compare the answers', onclick: () => {
        replayBox.hidden = false;
        if (!replayBox.firstChild) lazyInto(replayBox, () => !destroyed, './replay.js', (m) => m.replayPanel(r, () => { replayBox.hidden = true; clear(replayBox); }));
      } }, 'Replay'),
      h('button', { type: 'button', class: 'btn', id: 'download-json', onclick: () => downloadJSON(r) }, 'Download JSON'),
      h('button', { type: 'button', class: 'btn ghost', title: 'Copy a link to this request', onclick: async () => toast((await copyText(location.href)) ? 'Link copied' : location.href) }, 'Link'));

    el.append(
      h('div', { class: 'detail-head' },
        h('a', { href: backHash || '#/requests', class: 'back' }, '← Requests'),
        title, actions),
      curlBox, replayBox,
      h('div', { class: 'detail-grid' + (isError(r) ? ' has-error' : '') },
        h('aside', { class: 'detail-side' }, usageCard(r), overview(r)),
        h('div', { class: 'detail-main' }, tabBar, panel)));
    showTab(tabs.some(([t]) => t === tab) ? tab : 'conversation');
    window.scrollTo(0, scroll);
    clearInterval(tickTimer);
    if (inFlight(r)) {
      tickTimer = setInterval(() => {
        const d = document.getElementById('detail-duration');
        if (d && record && inFlight(record)) d.textContent = fmtMs(Date.now() - Date.parse(record.startedAt));
      }, 200);
    }
  }

  load();
  return () => {
    destroyed = true;
    clearInterval(tickTimer);
    if (closeLive) closeLive();
    el.remove();
  };
}
