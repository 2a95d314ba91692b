/** The ollama provider: the real `ollama` client over real HTTP against the simulated server. */
import { afterAll, beforeAll, describe, expect, spyOn, test } from "bun:test";
import { promptTokens } from "../../scripts/sim/window";
import { ProviderError } from "../../domain/errors";
import { makeProvider } from "../../pipeline/providers/make-provider";
import { DEFAULT_RESERVED_OUTPUT_TOKENS } from "../../pipeline/review/tokens";
import type { CompletionRequest } from "../../pipeline/providers/provider";
import { shardSchemaForFormat, validateShardVerdict } from "../../pipeline/verdict/verdict";
import { type SimServer, startSimServer } from "../../scripts/sim-server";
import { SYSTEM, closedPort, failureOf, shardPrompt, testRung } from "./fixtures";

const KEY = "sk-ollama-cloud-7f3a9c";
let sim: SimServer;
let keyed: SimServer;

beforeAll(async () => {
  sim = await startSimServer({
    behaviours: { good: "good", e500: "error500", limited: "ratelimit", hang: "hang", stalled: "stall-body", slow: "slow-body", cut: "truncated-stream", "qwen2.5-coder:7b": "good" },
  });
  keyed = await startSimServer({ behaviours: { good: "good", e500: "error500", hang: "hang" }, apiKey: KEY });
});
afterAll(async () => {
  await Promise.all([sim.stop(), keyed.stop()]);
});

const request = (schema?: Record<string, unknown>): CompletionRequest => ({
  system: SYSTEM,
  prompt: shardPrompt("ledger.rs").prompt,
  ...(schema ? { schema } : {}),
});
const provider = (model: string, host = sim.ollamaHost, extra: Parameters<typeof testRung>[2] = {}, apiKey?: string) =>
  makeProvider(testRung("ollama", [host], { model, ...extra }), apiKey ? { apiKey } : {});
const signal = () => new AbortController().signal;

describe("answers", () => {
  test("a good answer comes back with the server's token counts", async () => {
    const req = request();
    const c = await provider("good").complete(req, signal());
    expect(validateShardVerdict(JSON.parse(c.text)).ok).toBe(true);
    expect(c.tokensIn).toBe(promptTokens([req.system, req.prompt], 4));
    expect(c.tokensOut).toBe(Math.ceil(c.text.length / 4));
    expect(c.server).toBe(sim.ollamaHost);
    expect(c.latencyMs).toBeGreaterThanOrEqual(0);
    expect(sim.calls.at(-1)).toMatchObject({ protocol: "ollama", stream: false, system: SYSTEM, user: req.prompt });
  });

  test("`format` is sent only when the request carries a schema; rung options reach the server", async () => {
    const p = provider("good", sim.ollamaHost, { temperature: 0.2, maxOutputTokens: 900 });
    await p.complete(request(), signal());
    expect(sim.calls.at(-1)?.structured).toBe(false);
    await p.complete(request(shardSchemaForFormat()), signal());
    expect(sim.calls.at(-1)).toMatchObject({ structured: true, format: shardSchemaForFormat(), temperature: 0.2, maxTokens: 900 });
  });

  test("num_predict is always sent: the answer reserve when max_output_tokens is unset (Ollama's own default never stops)", async () => {
    await provider("good").complete(request(shardSchemaForFormat()), signal());
    expect(sim.calls.at(-1)?.maxTokens).toBe(DEFAULT_RESERVED_OUTPUT_TOKENS);
  });

  test("the answer has no message content → invalid; a body that is not JSON → invalid", async () => {
    const fakeFetch = (body: string) => async () => new Response(body, { headers: { "content-type": "application/json" } });
    const rung = testRung("ollama", ["http://127.0.0.1:9"], { model: "m" });
    const empty = await failureOf(makeProvider(rung, { fetch: fakeFetch(JSON.stringify({ model: "m", message: { role: "assistant", content: "" }, done: true })) }).complete(request(), signal()));
    expect(empty.kind).toBe("invalid");
    expect(empty.message).toContain("no message content");
    const garbage = await failureOf(makeProvider(rung, { fetch: fakeFetch("{not json") }).complete(request(), signal()));
    expect(garbage.kind).toBe("invalid");
  });
});

describe("failures map to ProviderError kinds", () => {
  test("500 → http 500", async () => {
    const e = await failureOf(provider("e500").complete(request(), signal()));
    expect([e.kind, e.status]).toEqual(["http", 500]);
    expect(e.message).toContain('rung "ollama-test"');
  });

  test("429 → http 429 with retryAfterMs from Retry-After", async () => {
    const e = await failureOf(provider("limited").complete(request(), signal()));
    expect([e.kind, e.status, e.retryAfterMs]).toEqual(["http", 429, 1000]);
  });

  for (const body of ["stalled", "slow"] as const) {
    test(`headers, then a ${body} body that never ends → timeout within the rung timeout (it covers the body)`, async () => {
      const started = performance.now();
      const e = await failureOf(provider(body, sim.ollamaHost, { timeoutMs: 300 }).complete(request(), signal()));
      const took = performance.now() - started;
      expect(e.kind).toBe("timeout");
      expect(took).toBeGreaterThanOrEqual(280);
      expect(took).toBeLessThan(1500);
    });
  }

  test("a model that never answers → timeout within the rung timeout", async () => {
    const started = performance.now();
    const e = await failureOf(provider("hang", sim.ollamaHost, { timeoutMs: 300 }).complete(request(), signal()));
    const took = performance.now() - started;
    expect(e.kind).toBe("timeout");
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(1500);
  });

  test("a proxy's HTML 502 → http 502 with its text, and the client library prints nothing", async () => {
    const html = async () => new Response("<html><body>502 Bad Gateway</body></html>", { status: 502, headers: { "content-type": "text/html", "retry-after": "3" } });
    const logs = [spyOn(console, "log"), spyOn(console, "warn"), spyOn(console, "error")];
    try {
      const e = await failureOf(makeProvider(testRung("ollama", ["http://127.0.0.1:9"], { model: "m" }), { fetch: html }).complete(request(), signal()));
      expect([e.kind, e.status]).toEqual(["http", 502]);
      expect(e.message).toContain("502 Bad Gateway");
      for (const spy of logs) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of logs) spy.mockRestore();
    }
  });

  test("503 with Retry-After as an HTTP date → retryAfterMs from the injected clock", async () => {
    const at = Date.UTC(2030, 0, 1, 0, 0, 0);
    const busy = async () => Response.json({ error: "server busy" }, { status: 503, headers: { "retry-after": new Date(at + 4000).toUTCString() } });
    const e = await failureOf(makeProvider(testRung("ollama", ["http://127.0.0.1:9"], { model: "m" }), { fetch: busy, now: () => at }).complete(request(), signal()));
    expect([e.kind, e.status, e.retryAfterMs]).toEqual(["http", 503, 4000]);
  });

  test("connection refused → connection", async () => {
    const e = await failureOf(provider("good", await closedPort()).complete(request(), signal()));
    expect(e.kind).toBe("connection");
  });

  test("a body cut mid-way → ProviderError, not a short answer", async () => {
    const e = await failureOf(provider("cut").complete(request(), signal()));
    expect(["connection", "invalid"]).toContain(e.kind);
  });

  test("the caller's abort passes through as its own reason, not as a ProviderError", async () => {
    const caller = new AbortController();
    const reason = new Error("user pressed Ctrl-C");
    setTimeout(() => caller.abort(reason), 50);
    const outcome = await provider("hang").complete(request(), caller.signal).then(
      () => "resolved",
      (e: unknown) => e,
    );
    expect(outcome).toBe(reason);
  });
});

describe("API keys", () => {
  test("a key is sent as a bearer token; without it the server refuses", async () => {
    const c = await provider("good", keyed.ollamaHost, {}, KEY).complete(request(), signal());
    expect(c.text.length).toBeGreaterThan(200);
    expect(keyed.calls.at(-1)?.authorization).toBe(true);
    const e = await failureOf(provider("good", keyed.ollamaHost).complete(request(), signal()));
    expect([e.kind, e.status]).toEqual(["http", 401]);
    expect(keyed.calls.at(-1)?.authorization).toBe(false);
  });

  test("the key never appears in errors: 500, timeout, 401 with a wrong key, a server that echoes it", async () => {
    const wrong = "sk-wrong-key-51d0";
    const errors = [
      await failureOf(provider("e500", keyed.ollamaHost, {}, KEY).complete(request(), signal())),
      await failureOf(provider("hang", keyed.ollamaHost, { timeoutMs: 200 }, KEY).complete(request(), signal())),
      await failureOf(provider("good", keyed.ollamaHost, {}, wrong).complete(request(), signal())),
    ];
    const echo = async (_: unknown, init?: RequestInit) =>
      new Response(JSON.stringify({ error: `bad token: ${new Headers(init?.headers).get("authorization")}` }), { status: 401, headers: { "content-type": "application/json" } });
    const echoed = await failureOf(makeProvider(testRung("ollama", ["https://ollama.com"], { model: "m" }), { apiKey: KEY, fetch: echo }).complete(request(), signal()));
    expect(echoed.message).toContain("bad token: Bearer [redacted]");
    for (const e of [...errors, echoed]) {
      expect(e).toBeInstanceOf(ProviderError);
      expect(`${e.message} ${String((e.cause as Error | undefined)?.message)}`).not.toContain(KEY);
    }
    expect(errors[2]!.message).not.toContain(wrong);
  });

  test("no key configured: nothing is sent, even when $OLLAMA_API_KEY is set for ollama.com", async () => {
    const sent: (string | null)[] = [];
    const spy = async (_: unknown, init?: RequestInit) => {
      sent.push(new Headers(init?.headers).get("authorization"));
      return Response.json({ model: "m", message: { role: "assistant", content: "x".repeat(10) }, done: true, prompt_eval_count: 3, eval_count: 2 });
    };
    const before = process.env.OLLAMA_API_KEY;
    process.env.OLLAMA_API_KEY = "env-key-should-not-leak";
    try {
      const c = await makeProvider(testRung("ollama", ["https://ollama.com"], { model: "m" }), { fetch: spy }).complete(request(), signal());
      expect([c.tokensIn, c.tokensOut]).toEqual([3, 2]);
    } finally {
      if (before === undefined) delete process.env.OLLAMA_API_KEY;
      else process.env.OLLAMA_API_KEY = before;
    }
    expect(sent).toEqual([null]);
  });
});

describe("probe", () => {
  test("reports model presence, matching with and without :latest", async () => {
    const [tagged] = await provider("qwen2.5-coder:7b").probe(signal());
    expect(tagged).toMatchObject({ server: sim.ollamaHost, reachable: true, modelPresent: true });
    const [bare] = await provider("good").probe(signal());
    expect(bare?.modelPresent).toBe(true);
    const [latest] = await provider("good:latest").probe(signal());
    expect(latest?.modelPresent).toBe(true);
  });

  test("an absent model is named in the detail; a dead server is unreachable", async () => {
    const [absent] = await provider("llama3:70b").probe(signal());
    expect(absent).toMatchObject({ reachable: true, modelPresent: false });
    expect(absent?.detail).toContain("llama3:70b not found");
    const [dead] = await provider("good", await closedPort()).probe(signal());
    expect(dead).toMatchObject({ reachable: false, modelPresent: false });
  });

  test("a keyed server: the key is sent to /api/tags and never shows in the detail", async () => {
    const [ok] = await provider("good", keyed.ollamaHost, {}, KEY).probe(signal());
    expect(ok).toMatchObject({ reachable: true, modelPresent: true });
    const [refused] = await provider("good", keyed.ollamaHost, {}, "sk-other").probe(signal());
    expect(refused).toMatchObject({ reachable: true, modelPresent: false });
    expect(refused?.detail).toContain("401");
    expect(refused?.detail).not.toContain("sk-other");
  });
});
