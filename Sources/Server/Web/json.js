// Pretty JSON with token colours (built from text nodes), and SSE / NDJSON body parsing.

import { h } from './util.js';

const TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const MAX_HIGHLIGHT = 400_000;

/** A <pre> with `text` (JSON source) coloured: keys, strings, numbers, literals. */
export function highlightJSON(text, cls = 'json') {
  const pre = h('pre', { class: cls });
  if (text.length > MAX_HIGHLIGHT) { pre.textContent = text; return pre; }
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index > last) pre.append(text.slice(last, m.index));
    let k;
    if (m[1]) k = m[2] ? 'j-key' : 'j-str';
    else if (m[3]) k = 'j-lit';
    else k = 'j-num';
    if (m[1] && m[2]) {
      pre.append(h('span', { class: k }, m[1]), m[2]);
    } else {
      pre.append(h('span', { class: k }, m[0]));
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) pre.append(text.slice(last));
  return pre;
}

export function tryParse(text) {
  if (typeof text !== 'string') return undefined;
  try { return JSON.parse(text); } catch { return undefined; }
}

/** `{content, encoding}` of a captured body → its text, or null for none / binary. */
export function bodyText(body) {
  if (!body || body.content == null) return null;
  if (body.encoding === 'base64') return null;
  return body.content;
}

/** Parses an SSE body into [{event, id, data}] (data joined over its lines). */
export function parseSSE(text) {
  const out = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (!block.trim()) continue;
    let event = null, id = null;
    const data = [];
    let comment = true;
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) continue;
      comment = false;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      let value = i < 0 ? '' : line.slice(i + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (!comment) out.push({ event, id, data: data.join('\n') });
  }
  return out;
}

export function looksLikeSSE(text, headers) {
  const ct = (headers || []).find((x) => x.name === 'content-type');
  if (ct && /text\/event-stream/i.test(ct.value)) return true;
  return /^(data|event|id):/m.test(text.slice(0, 200)) && !/^\s*[{[]/.test(text);
}

export function looksLikeNDJSON(text, headers) {
  const ct = (headers || []).find((x) => x.name === 'content-type');
  if (ct && /ndjson|jsonl/i.test(ct.value)) return true;
  const lines = text.trim().split('\n');
  return lines.length > 1 && lines.every((l) => /^\s*\{.*\}\s*$/.test(l)) && tryParse(text) === undefined;
}

/** A list of stream events, each with its name and its data as compact coloured JSON. */
export function renderEvents(events) {
  const list = h('ol', { class: 'sse-list' });
  events.forEach((ev, i) => {
    const parsed = tryParse(ev.data);
    const obj = parsed && typeof parsed === 'object' ? parsed : {};
    const name = ev.event || obj.type || obj.object || (ev.data === '[DONE]' ? '[DONE]' : 'data');
    list.append(h('li', { class: 'sse-item' },
      h('span', { class: 'sse-n mono' }, String(i + 1)),
      h('span', { class: 'sse-name mono' }, name),
      parsed !== undefined ? highlightJSON(JSON.stringify(parsed), 'json inline') : h('pre', { class: 'json inline' }, ev.data)));
  });
  return list;
}
