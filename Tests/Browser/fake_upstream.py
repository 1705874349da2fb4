"""A small fake LLM upstream for the browser tests and the screenshot script.

OpenAI-compatible `POST /v1/chat/completions` (and Anthropic-shaped `POST /v1/messages`):

* non-streamed: a JSON answer with `usage`;
* `"stream": true`: an SSE stream sent chunk by chunk. With the request header `x-fake-gate: NAME`
  the first chunk goes out at once and every further chunk waits until the test releases it
  (`FakeUpstream.release(NAME, n)`, or `POST /_control/release/NAME?n=1` over HTTP, `n=all` for all);
  without a gate the chunks are sent `x-fake-delay-ms` apart (default 40 ms).
* a model whose name contains `fail-429` answers 429, `fail-500` answers 500 (OpenAI error bodies);
  so does any request with `x-fake-status: 4xx/5xx` (message from `x-fake-error`).
* `x-fake-tool: NAME:ARGS` answers with one tool call (ARGS URL-encoded JSON), its id `x-fake-tool-id`
  (default `call_8fJq2`).
* `x-fake-usage: PROMPT,COMPLETION[,CACHED[,CACHE_WRITE]]` sets the reported usage;
  `x-fake-latency-ms` delays a non-streamed answer.
* the answer text can be chosen with the header `x-fake-text` (URL-encoded); the default is a short
  sentence.
* `x-fake-agent: N` plays a tool-using agent's model: while the conversation holds fewer than N tool
  results it answers a call of the tool `run_step` (ids `call_step1`, `call_step2`, …), then the text.

Every request is kept in `requests` (path, body, headers with lower-case names).

Use it in-process (`FakeUpstream().start()` returns the port) or as a script:
`python3 fake_upstream.py --port 0` prints `fake upstream on http://127.0.0.1:PORT`.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_TEXT = "The capital of France is Paris. It has been the country's capital since the 10th century."


class Gate:
    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.allowed = 0
        self.open_all = False

    def release(self, n: int | None) -> None:
        with self.cond:
            if n is None:
                self.open_all = True
            else:
                self.allowed += n
            self.cond.notify_all()

    def wait(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not self.open_all and self.allowed <= 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return  # never hang a test forever
                self.cond.wait(left)
            if not self.open_all:
                self.allowed -= 1


class FakeUpstream:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.gates: dict[str, Gate] = {}
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = urllib.parse.urlparse(self.path).path
                if path.startswith("/_control/release/"):
                    name = path.rsplit("/", 1)[1]
                    q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                    n = q.get("n", ["1"])[0]
                    upstream.release(name, None if n == "all" else int(n))
                    return self._json(200, {"released": name})
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                with upstream.lock:
                    upstream.requests.append({"path": path, "body": body, "headers": {k.lower(): v for k, v in self.headers.items()}})
                model = str(body.get("model") or "gpt-4o-mini")
                text = urllib.parse.unquote(self.headers.get("x-fake-text") or "") or DEFAULT_TEXT
                forced = self.headers.get("x-fake-status")
                if forced and forced.isdigit() and int(forced) >= 400:
                    return self._json(int(forced), {"error": {"message": self.headers.get("x-fake-error") or "Rate limit reached for gpt-4o in organization org-demo on tokens per min (TPM): Limit 30000, Used 29870, Requested 1200.", "type": "tokens", "code": "rate_limit_exceeded"}})
                latency = float(self.headers.get("x-fake-latency-ms") or 0) / 1000
                if latency and not body.get("stream"):
                    time.sleep(latency)
                tool = self.headers.get("x-fake-tool")
                if tool and ":" in tool:
                    name, args = tool.split(":", 1)
                    body["_tool"] = {"name": name, "arguments": urllib.parse.unquote(args), "id": self.headers.get("x-fake-tool-id") or "call_8fJq2"}
                agent = self.headers.get("x-fake-agent")
                if agent and agent.isdigit():
                    done = sum(1 for m in body.get("messages") or [] if isinstance(m, dict) and m.get("role") == "tool")
                    if done < int(agent):
                        body["_tool"] = {"name": "run_step", "arguments": json.dumps({"step": done + 1}), "id": "call_step%d" % (done + 1)}
                usage = self.headers.get("x-fake-usage")
                if usage:
                    body["_usage"] = [int(x) for x in usage.split(",")]
                if "fail-429" in model:
                    return self._json(429, {"error": {"message": "Rate limit reached for requests", "type": "requests", "code": "rate_limit_exceeded"}})
                if "fail-500" in model:
                    return self._json(500, {"error": {"message": "The server had an error while processing your request.", "type": "server_error"}})
                anthropic = path.endswith("/messages")
                if body.get("stream"):
                    return self._stream(model, text, anthropic, body.get("_usage"))
                if anthropic:
                    return self._json(200, anthropic_message(model, text, body))
                return self._json(200, openai_completion(model, text, body))

            def _json(self, status: int, obj: dict) -> None:
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("x-request-id", "req_fake_%d" % int(time.time() * 1000))
                self.end_headers()
                self.wfile.write(data)

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()

            def _stream(self, model: str, text: str, anthropic: bool, usage: list | None = None) -> None:
                gate_name = self.headers.get("x-fake-gate")
                delay = float(self.headers.get("x-fake-delay-ms") or 40) / 1000
                gate = upstream.gate(gate_name) if gate_name else None
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                words = split_words(text)
                events = anthropic_events(model, words) if anthropic else openai_events(model, words, usage)
                try:
                    for i, ev in enumerate(events):
                        if i > 0:
                            if gate is not None and ev.get("gated"):
                                gate.wait()
                            elif delay:
                                time.sleep(delay)
                        self._chunk(ev["data"])
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread: threading.Thread | None = None

    def gate(self, name: str) -> Gate:
        with self.lock:
            return self.gates.setdefault(name, Gate())

    def release(self, name: str, n: int | None = 1) -> None:
        """Lets `n` more held chunks of the gated stream `name` go (None: all of them)."""
        self.gate(name).release(n)

    def start(self) -> int:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self.port

    def stop(self) -> None:
        for g in list(self.gates.values()):
            g.release(None)
        self.server.shutdown()
        self.server.server_close()


def split_words(text: str) -> list[str]:
    out, cur = [], ""
    for ch in text:
        cur += ch
        if ch == " ":
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out


def count_tokens(body: dict) -> int:
    return max(1, len(json.dumps(body.get("messages") or body.get("input") or body)) // 4)


def openai_completion(model: str, text: str, body: dict) -> dict:
    prompt = count_tokens(body)
    completion = max(1, len(text) // 4)
    cached = 0
    tool = body.get("_tool")
    message = {"role": "assistant", "content": None if tool else text}
    if tool:
        call_id = tool.get("id", "call_8fJq2")
        message["tool_calls"] = [{"id": call_id, "type": "function", "function": {"name": tool["name"], "arguments": tool["arguments"]}}]
    if body.get("_usage"):
        prompt, completion, cached = (body["_usage"] + [0, 0, 0])[:3]
    return {
        "id": "chatcmpl-fake123",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool else "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
                  "prompt_tokens_details": {"cached_tokens": cached}},
    }


def anthropic_message(model: str, text: str, body: dict) -> dict:
    u = (body.get("_usage") or []) + [0, 0, 0, 0]
    if body.get("_usage"):
        return {
            "id": "msg_fake123", "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
            "usage": {"input_tokens": u[0], "output_tokens": u[1], "cache_read_input_tokens": u[2], "cache_creation_input_tokens": u[3]},
        }
    return {
        "id": "msg_fake123", "type": "message", "role": "assistant", "model": model,
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
        "usage": {"input_tokens": count_tokens(body), "output_tokens": max(1, len(text) // 4),
                  "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0},
    }


def sse(obj: dict, event: str | None = None) -> bytes:
    head = ("event: %s\n" % event) if event else ""
    return (head + "data: " + json.dumps(obj) + "\n\n").encode()


def openai_events(model: str, words: list[str], usage: list | None = None) -> list[dict]:
    base = {"id": "chatcmpl-fakestream", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
    evs = [{"data": sse({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": words[0] if words else ""}, "finish_reason": None}]})}]
    for w in words[1:]:
        evs.append({"gated": True, "data": sse({**base, "choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]})})
    n = max(1, sum(len(w) for w in words) // 4)
    p, c, cached = ((usage or []) + [0, 0, 0])[:3] if usage else (42, n, 0)
    evs.append({"gated": True, "data": sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                + sse({**base, "choices": [], "usage": {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c,
                                                        "prompt_tokens_details": {"cached_tokens": cached}}})
                + b"data: [DONE]\n\n"})
    return evs


def anthropic_events(model: str, words: list[str]) -> list[dict]:
    evs = [{"data": sse({"type": "message_start", "message": {"id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                                                              "content": [], "usage": {"input_tokens": 42, "output_tokens": 1}}}, "message_start")
            + sse({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}, "content_block_start")
            + sse({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": words[0] if words else ""}}, "content_block_delta")}]
    for w in words[1:]:
        evs.append({"gated": True, "data": sse({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": w}}, "content_block_delta")})
    n = max(1, sum(len(w) for w in words) // 4)
    evs.append({"gated": True, "data": sse({"type": "content_block_stop", "index": 0}, "content_block_stop")
                + sse({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": n}}, "message_delta")
                + sse({"type": "message_stop"}, "message_stop")})
    return evs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    up = FakeUpstream(port=args.port)
    print("fake upstream on http://127.0.0.1:%d" % up.port, flush=True)
    try:
        up.server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
