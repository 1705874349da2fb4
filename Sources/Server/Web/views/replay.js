// Replay from the request detail: the recorded request sent again through this llmtrace's proxy with
// a key the user types, marked `x-llmtrace-replay-of`, and the two answers side by side.
//
// The key lives in `memory` below for the page's lifetime: never in storage, never in a URL, sent only
// as the replayed request's header. A streamed request is sent as it was (streamed) and read to its
// end; both answers are shown from their records, which llmtrace assembled from the stream.

import { apiURL, api } from '../api.js';
import { isShared } from '../auth.js';
import { h, clear, add, fmtInt, fmtCost, fmtMs, inFlight, statusClass, dash } from '../util.js';
import { tryParse, bodyText } from '../json.js';

/** Keys typed on this page, by header kind and host. */
const memory = new Map();
let ingestKey = '';

const KINDS = {
  bearer: ['Authorization: Bearer …', (hd, k) => { hd.authorization = 'Bearer ' + k; }],
  // A browser's request carries an Origin, which Anthropic refuses unless told it was meant.
  anthropic: ['x-api-key + anthropic-version', (hd, k) => {
    hd['x-api-key'] = k;
    if (!hd['anthropic-version']) hd['anthropic-version'] = '2023-06-01';
    hd['anthropic-dangerous-direct-browser-access'] = 'true';
  }],
  goog: ['x-goog-api-key', (hd, k) => { hd['x-goog-api-key'] = k; }],
  azure: ['api-key (Azure)', (hd, k) => { hd['api-key'] = k; }],
  none: ['no key', () => {}],
};

// Never copied from the record: secrets, what the browser or the proxy sets, llmtrace's own headers.
const SKIP = /^(authorization|proxy-authorization|x-api-key|api-key|x-goog-api-key|cookie|host|content-length|connection|keep-alive|te|trailer|transfer-encoding|upgrade|expect|accept-encoding|user-agent|origin|referer|x-forwarded-.*|forwarded|x-real-ip|x-llmtrace-.*|sec-.*|proxy-.*)$/i;

/** Which header the key goes in: the secret header the record had, else what its provider uses. */
export function keyKind(r) {
  const names = new Set((r.requestHeaders || []).map((x) => x.name.toLowerCase()));
  if (names.has('x-api-key')) return 'anthropic';
  if (names.has('x-goog-api-key') || /(^|&)key=/i.test(r.query || '')) return 'goog';
  if (names.has('api-key')) return 'azure';
  if (names.has('authorization')) return 'bearer';
  const hay = `${r.provider || ''} ${r.host || ''}`.toLowerCase();
  if (/anthropic/.test(hay)) return 'anthropic';
  if (/gemini|googleapis|generativelanguage/.test(hay)) return 'goog';
  if (/azure/.test(hay)) return 'azure';
  return 'bearer';
}

const label = (text, forId) => h('label', { for: forId }, text);

/** The replay form for record `r`; `onClose` hides it. */
export function replayPanel(r, onClose) {
  const method = (r.method || 'POST').toUpperCase();
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const raw = bodyText(r.requestBody);
  const json = tryParse(raw);
  const query = (r.query || '').split('&').filter((p) => p && !/^(key|api_key|api-key)=/i.test(p)).join('&');
  let path = r.path || '/';
  const pathModel = /\/models\/([^/:?]+)/.exec(path);
  const model = json && typeof json === 'object' && typeof json.model === 'string' ? json.model : pathModel ? decodeURIComponent(pathModel[1]) : null;
  const upstream = () => `${r.scheme}://${r.host}${path}${query ? '?' + query : ''}`;

  const kindSel = h('select', { class: 'input', id: 'replay-key-kind', 'aria-label': 'Header the key goes in' },
    Object.entries(KINDS).map(([k, [text]]) => h('option', { value: k }, text)));
  kindSel.value = keyKind(r);
  const memKey = () => kindSel.value + '|' + r.host;
  const keyInput = h('input', { type: 'password', class: 'input', id: 'replay-key', autocomplete: 'off', spellcheck: 'false', placeholder: 'API key (kept in this page only)' });
  keyInput.value = memory.get(memKey()) || '';
  kindSel.addEventListener('change', () => { keyInput.value = memory.get(memKey()) || ''; });
  const ingestInput = isShared() ? h('input', { type: 'password', class: 'input', id: 'replay-ingest', autocomplete: 'off', placeholder: 'the environment\u2019s ingest key, if it has one', value: ingestKey }) : null;
  const modelInput = h('input', { type: 'text', class: 'input mono', id: 'replay-model', spellcheck: 'false', value: model || '', disabled: model == null });
  const bodyArea = h('textarea', { id: 'replay-body', spellcheck: 'false', 'aria-label': 'Request body' });
  bodyArea.value = json !== undefined ? JSON.stringify(json, null, 2) : raw || '';
  const urlLine = h('span', { class: 'mono break', id: 'replay-url' }, h('b', null, method + ' '), upstream());
  const err = h('div', { class: 'err-text small', id: 'replay-error', role: 'alert' });
  const send = h('button', { type: 'button', class: 'btn primary', id: 'replay-send' }, 'Send');
  const result = h('div', { id: 'replay-result' });

  modelInput.addEventListener('change', () => {
    const m = modelInput.value.trim();
    const b = tryParse(bodyArea.value);
    if (b && typeof b === 'object' && 'model' in b) { b.model = m; bodyArea.value = JSON.stringify(b, null, 2); }
    else if (pathModel) { path = path.replace(/(\/models\/)[^/:?]+/, '$1' + encodeURIComponent(m)); add(clear(urlLine), h('b', null, method + ' '), upstream()); }
  });

  const blocked = r.requestBody && (r.requestBody.encoding === 'base64' || r.requestBody.truncated)
    ? 'The recorded body is ' + (r.requestBody.truncated ? 'cut at --max-body' : 'binary') + ': it cannot be sent again as it was.' : '';
  if (blocked) { err.textContent = blocked; send.disabled = true; }

  send.addEventListener('click', async () => {
    err.textContent = '';
    let sentBody;
    if (hasBody) {
      sentBody = bodyArea.value;
      if (json !== undefined) {
        try { JSON.parse(sentBody); } catch (e) { err.textContent = 'The body is not valid JSON: ' + e.message; return; }
      }
    }
    const headers = {};
    for (const { name, value } of r.requestHeaders || []) {
      if (!SKIP.test(name) && !/^<redacted/.test(value)) headers[name.toLowerCase()] = value;
    }
    const key = keyInput.value.trim();
    if (kindSel.value !== 'none') {
      if (!key) { err.textContent = 'Type the API key to send it with (or choose "no key").'; keyInput.focus(); return; }
      memory.set(memKey(), key);
    }
    KINDS[kindSel.value][1](headers, key);
    if (ingestInput && ingestInput.value.trim()) headers['x-llmtrace-key'] = ingestKey = ingestInput.value.trim();
    headers['x-llmtrace-replay-of'] = r.id;
    send.disabled = true;
    send.textContent = 'Sending…';
    add(clear(result), h('div', { class: 'muted small' }, h('span', { class: 'spinner' }), ' waiting for the answer…'));
    try {
      const url = apiURL(`proxy/${encodeURIComponent(r.env)}/${r.scheme}/${r.host}${path}`) + (query ? '?' + query : '');
      const res = await fetch(url, { method, headers, body: hasBody ? sentBody : undefined, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
      const newId = res.headers.get('x-llmtrace-id');
      if (!newId) {
        // Refused by llmtrace itself (an ingest key missing, an upstream not allowed): nothing recorded.
        const text = await res.text();
        const e = tryParse(text);
        throw new Error(`llmtrace refused it (HTTP ${res.status}): ${(e && e.error && e.error.message) || text.slice(0, 200)}`);
      }
      add(clear(result), h('div', { class: 'muted small' }, h('span', { class: 'spinner' }), ' receiving ', h('a', { href: '#/requests/' + encodeURIComponent(newId), class: 'mono' }, newId), '…'));
      await res.text(); // to its end, a stream included
      const replayed = await finished(newId);
      add(clear(result), compare(r, replayed));
    } catch (e) {
      clear(result);
      err.textContent = 'The replay failed: ' + e.message;
    } finally {
      send.disabled = false;
      send.textContent = 'Send again';
    }
  });

  return h('div', { class: 'card' },
    h('div', { class: 'curl-head' }, h('h2', { class: 'card-title' }, 'Replay'),
      h('button', { type: 'button', class: 'linkish small', onclick: onClose }, 'close')),
    h('div', { class: 'replay-form' },
      h('span', { class: 'muted' }, 'Request'), urlLine,
      h('span', { class: 'muted' }, 'Through'), h('span', { class: 'mono faint break' }, `this llmtrace, env ${r.env}, marked as a replay of ${r.id}`),
      label('Model', 'replay-model'), modelInput,
      label('API key', 'replay-key'), h('div', { class: 'replay-key' }, kindSel, keyInput,
        h('span', { class: 'faint small' }, 'kept in this page\u2019s memory only: never stored, sent only in this request\u2019s header')),
      ingestInput ? [label('Ingest key', 'replay-ingest'), ingestInput] : null,
      hasBody ? [label('Body', 'replay-body'), bodyArea] : null,
      h('span'), h('div', { class: 'replay-key' }, send, err)),
    result);
}

/** The replayed record once it has finished (its record lands a moment after the response ends). */
async function finished(id) {
  const until = Date.now() + 15000;
  for (;;) {
    try {
      const rec = await api('api/requests/' + encodeURIComponent(id));
      if (!inFlight(rec) || Date.now() > until) return rec;
    } catch (e) {
      if (e.status !== 404 || Date.now() > until) throw e;
    }
    await new Promise((ok) => setTimeout(ok, 150));
  }
}

function side(title, r, link) {
  const u = r.usage || {};
  const calls = (r.toolCalls || []).map((t) => `⚙ ${t.name || 'tool'}(${t.arguments || ''})`).join('\n');
  const text = r.error && !r.text ? `${r.error.type || 'error'}: ${r.error.message || ''}` : [r.text || '', calls].filter(Boolean).join('\n') || '(no text)';
  const rows = [
    ['Model', h('span', { class: 'mono' }, r.model || dash)],
    ['Status', h('span', { class: 'status st-' + statusClass(r) }, String(r.status ?? (r.error ? 'ERR' : dash)))],
    ['Tokens', h('span', { class: 'mono tokens' }, `${fmtInt(u.inputTokens)} in · ${fmtInt(u.outputTokens)} out`)],
    ['Cost', h('span', { class: 'mono cost' }, fmtCost(r.estimatedCost))],
    ['Duration', h('span', { class: 'mono' }, fmtMs(r.durationMs))],
    ['TTFT', h('span', { class: 'mono' }, fmtMs(r.ttftMs))],
  ];
  return h('div', { class: 'card replay-side', dataset: { id: r.id } },
    h('div', { class: 'curl-head' }, h('h2', { class: 'card-title' }, title), link),
    h('div', { class: 'msg-text answer-text' + (r.error ? ' err-text' : '') }, text),
    h('dl', { class: 'kv' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])));
}

function compare(orig, rep) {
  return h('div', { class: 'replay-compare', id: 'replay-compare' },
    side('Original', orig, h('span', { class: 'mono faint small' }, orig.id)),
    side('Replay', rep, h('a', { href: '#/requests/' + encodeURIComponent(rep.id), class: 'mono small', id: 'replay-link' }, rep.id + ' →')));
}
