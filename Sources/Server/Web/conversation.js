// Turns a provider request body into a list of chat messages:
//   {role: 'system'|'user'|'assistant'|'tool', name?, parts: [Part]}
//   Part = {kind: 'text', text} | {kind: 'thinking', text} | {kind: 'media', label}
//        | {kind: 'call', id, name, args} | {kind: 'result', id, name, content, isError}
// Formats: OpenAI chat `messages`, Anthropic `system` + `messages` with content blocks, Gemini
// `contents`/`parts` (+ `systemInstruction`), Ollama `messages` / `prompt`, the Responses API
// `instructions` + `input`, legacy completions `prompt`, embeddings `input`.

const str = (v) => (typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v, null, 2));

function argsText(a) {
  if (a == null) return '';
  if (typeof a === 'string') {
    try { return JSON.stringify(JSON.parse(a), null, 2); } catch { return a; }
  }
  return JSON.stringify(a, null, 2);
}

function mediaLabel(kind, detail) {
  return { kind: 'media', label: detail ? `${kind}: ${detail}` : kind };
}

function shortURL(u) {
  if (typeof u !== 'string') return '';
  if (u.startsWith('data:')) return u.slice(0, u.indexOf(',') > 0 ? Math.min(u.indexOf(','), 40) : 40) + '…';
  return u.length > 80 ? u.slice(0, 77) + '…' : u;
}

/** OpenAI / Anthropic / Responses content: a string or an array of typed parts. */
function contentParts(content) {
  if (content == null) return [];
  if (typeof content === 'string') return content ? [{ kind: 'text', text: content }] : [];
  if (!Array.isArray(content)) return [{ kind: 'text', text: str(content) }];
  const out = [];
  for (const p of content) {
    if (typeof p === 'string') { out.push({ kind: 'text', text: p }); continue; }
    if (!p || typeof p !== 'object') continue;
    switch (p.type) {
      case 'text': case 'input_text': case 'output_text':
        out.push({ kind: 'text', text: str(p.text) });
        break;
      case 'refusal':
        out.push({ kind: 'text', text: '[refusal] ' + str(p.refusal) });
        break;
      case 'image_url':
        out.push(mediaLabel('image', shortURL(p.image_url && (p.image_url.url || p.image_url))));
        break;
      case 'input_image':
        out.push(mediaLabel('image', shortURL(p.image_url || p.file_id)));
        break;
      case 'image': case 'document': {
        const src = p.source || {};
        out.push(mediaLabel(p.type, src.media_type || src.type || shortURL(src.url)));
        break;
      }
      case 'input_audio':
        out.push(mediaLabel('audio', p.input_audio && p.input_audio.format));
        break;
      case 'file': case 'input_file':
        out.push(mediaLabel('file', p.filename || (p.file && p.file.filename) || p.file_id));
        break;
      case 'thinking':
        out.push({ kind: 'thinking', text: str(p.thinking) });
        break;
      case 'redacted_thinking':
        out.push({ kind: 'thinking', text: '[redacted thinking]' });
        break;
      case 'tool_use': case 'server_tool_use':
        out.push({ kind: 'call', id: p.id, name: p.name, args: argsText(p.input) });
        break;
      case 'tool_result': case 'web_search_tool_result':
        out.push({ kind: 'result', id: p.tool_use_id, content: resultText(p.content), isError: !!p.is_error });
        break;
      default:
        out.push({ kind: 'text', text: p.text != null ? str(p.text) : JSON.stringify(p, null, 2) });
    }
  }
  return out;
}

function resultText(c) {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) {
    return c.map((p) => (p && (p.type === 'text' || p.type === 'input_text') ? p.text : p && p.type === 'image' ? '[image]' : JSON.stringify(p))).join('\n');
  }
  return str(c);
}

const normRole = (r) => (r === 'developer' ? 'system' : r === 'model' ? 'assistant' : r === 'function' ? 'tool' : r || 'user');

function openAIMessages(messages) {
  const out = [];
  for (const m of messages) {
    if (!m || typeof m !== 'object') continue;
    const role = normRole(m.role);
    const parts = contentParts(m.content);
    if (m.reasoning_content) parts.unshift({ kind: 'thinking', text: str(m.reasoning_content) });
    if (Array.isArray(m.tool_calls)) {
      for (const tc of m.tool_calls) {
        const fn = tc.function || {};
        parts.push({ kind: 'call', id: tc.id, name: fn.name || tc.name, args: argsText(fn.arguments ?? tc.arguments) });
      }
    }
    if (m.function_call) parts.push({ kind: 'call', name: m.function_call.name, args: argsText(m.function_call.arguments) });
    if (Array.isArray(m.images)) for (let i = 0; i < m.images.length; i++) parts.push(mediaLabel('image', 'base64'));
    if (role === 'tool') {
      out.push({ role: 'tool', parts: [{ kind: 'result', id: m.tool_call_id, name: m.name, content: parts.map((p) => p.text ?? p.label ?? '').join('\n') }] });
      continue;
    }
    pushSplit(out, role, parts, m.name);
  }
  return out;
}

/** Anthropic and Gemini put tool results inside a user turn: show them as tool messages. */
function pushSplit(out, role, parts, name) {
  const results = parts.filter((p) => p.kind === 'result');
  const rest = parts.filter((p) => p.kind !== 'result');
  if (results.length) out.push({ role: 'tool', parts: results });
  if (rest.length || !results.length) out.push({ role, name, parts: rest });
}

function geminiParts(parts) {
  const out = [];
  for (const p of parts || []) {
    if (!p || typeof p !== 'object') continue;
    if (p.text != null) out.push({ kind: p.thought ? 'thinking' : 'text', text: str(p.text) });
    else if (p.functionCall) out.push({ kind: 'call', name: p.functionCall.name, id: p.functionCall.id, args: argsText(p.functionCall.args) });
    else if (p.functionResponse) out.push({ kind: 'result', name: p.functionResponse.name, id: p.functionResponse.id, content: argsText(p.functionResponse.response) });
    else if (p.inlineData) out.push(mediaLabel('media', p.inlineData.mimeType));
    else if (p.fileData) out.push(mediaLabel('file', p.fileData.fileUri));
    else out.push({ kind: 'text', text: JSON.stringify(p, null, 2) });
  }
  return out;
}

function responsesInput(input) {
  if (typeof input === 'string') return [{ role: 'user', parts: [{ kind: 'text', text: input }] }];
  const out = [];
  for (const item of input || []) {
    if (!item || typeof item !== 'object') continue;
    const type = item.type || (item.role ? 'message' : '');
    if (type === 'message') out.push({ role: normRole(item.role), parts: contentParts(item.content) });
    else if (type === 'function_call' || type === 'custom_tool_call') out.push({ role: 'assistant', parts: [{ kind: 'call', id: item.call_id, name: item.name, args: argsText(item.arguments ?? item.input) }] });
    else if (type === 'function_call_output' || type === 'custom_tool_call_output') out.push({ role: 'tool', parts: [{ kind: 'result', id: item.call_id, content: resultText(item.output) }] });
    else if (type === 'reasoning') {
      const t = (item.summary || []).map((x) => x.text).join('\n');
      if (t) out.push({ role: 'assistant', parts: [{ kind: 'thinking', text: t }] });
    } else out.push({ role: 'user', parts: [{ kind: 'text', text: JSON.stringify(item, null, 2) }] });
  }
  return out;
}

/** The messages of a request body (already parsed JSON), or null when the shape is not a chat. */
export function parseConversation(body) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const out = [];
  const sys = (text) => { if (text) out.push({ role: 'system', parts: [{ kind: 'text', text }] }); };
  const tools = Array.isArray(body.tools) ? body.tools : null;

  if (Array.isArray(body.contents) || body.systemInstruction || body.system_instruction) {
    // Gemini
    const si = body.systemInstruction || body.system_instruction;
    if (si) out.push({ role: 'system', parts: geminiParts(si.parts || []) });
    for (const c of body.contents || []) pushSplit(out, normRole(c.role), geminiParts(c.parts));
  } else if (Array.isArray(body.messages)) {
    // OpenAI chat, Anthropic, Ollama chat
    if (typeof body.system === 'string') sys(body.system);
    else if (Array.isArray(body.system)) out.push({ role: 'system', parts: contentParts(body.system) });
    out.push(...openAIMessages(body.messages));
  } else if (body.input != null && (body.instructions != null || Array.isArray(body.input) || /^(gpt|o\d|codex|computer)/.test(body.model || '') || body.type == null)) {
    // Responses API (or embeddings: a string or a list of strings)
    if (typeof body.instructions === 'string') sys(body.instructions);
    if (Array.isArray(body.input) && body.input.every((x) => typeof x === 'string')) {
      for (const x of body.input) out.push({ role: 'user', parts: [{ kind: 'text', text: x }] });
    } else out.push(...responsesInput(body.input));
  } else if (body.prompt != null) {
    // Ollama generate, legacy completions
    sys(typeof body.system === 'string' ? body.system : '');
    const prompts = Array.isArray(body.prompt) ? body.prompt : [body.prompt];
    for (const p of prompts) out.push({ role: 'user', parts: [{ kind: 'text', text: str(p) }] });
  } else {
    return null;
  }
  return { messages: out, tools };
}
