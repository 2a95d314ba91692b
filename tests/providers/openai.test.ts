/** The openai provider: the real `openai` client over real HTTP against the simulated server. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { promptTokens } from "../../scripts/sim/window";
import { makeProvider } from "../../pipeline/providers/make-provider";
import type { CompletionRequest } from "../../pipeline/providers/provider";
import { shardRequestSchema, strictShardSchema, validateShardVerdict } from "../../pipeline/verdict/verdict";
import { type SimServer, startSimServer } from "../../scripts/sim-server";
import { SYSTEM, closedPort, failureOf, shardPrompt, testRung } from "./fixtures";

const KEY = "sk-proj-openai-c0ffee1234";
let sim: SimServer;
let keyed: SimServer;

beforeAll(async () => {
  sim = await startSimServer({ behaviours: { good: "good", e500: "error500", limited: "ratelimit", hang: "hang", stalled: "stall-body", slow: "slow-body", cut: "truncated-stream", "big:latest": "good" } });
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
const provider = (model: string, baseUrl = sim.openaiBaseUrl, extra: Parameters<typeof testRung>[2] = {}, apiKey?: string) =>
  makeProvider(testRung("openai", [baseUrl], { model, ...extra }), apiKey ? { apiKey } : {});
const signal = () => new AbortController().signal;
const callsTo = (s: SimServer, model: string) => s.calls.filter((c) => c.model === model).length;

describe("answers", () => {
  test("a good answer comes back with the usage token counts", async () => {
    const req = request();
    const c = await provider("good").complete(req, signal());
    expect(validateShardVerdict(JSON.parse(c.text)).ok).toBe(true);
    expect(c.tokensIn).toBe(promptTokens([req.system, req.prompt], 4));
    expect(c.tokensOut).toBe(Math.ceil(c.text.length / 4));
    expect(c.server).toBe(sim.openaiBaseUrl);
    expect(sim.calls.at(-1)).toMatchObject({ protocol: "openai", stream: false, user: req.prompt });
  });

  test("response_format json_schema (strict) is sent only when the request carries a schema", async () => {
    const p = provider("good", sim.openaiBaseUrl, { temperature: 0, maxOutputTokens: 1200 });
    await p.complete(request(), signal());
    expect(sim.calls.at(-1)?.structured).toBe(false);
    await p.complete(request(shardRequestSchema()), signal());
    expect(sim.calls.at(-1)).toMatchObject({
      structured: true,
      format: { type: "json_schema", json_schema: { name: "forensic_verdict", strict: true, schema: strictShardSchema() } },
      temperature: 0,
      maxTokens: 1200,
    });
  });

  test("json_schema carries the numeric bounds (vLLM enforces them) but not minLength (OpenAI's strict mode refuses it)", async () => {
    await provider("good").complete(request(shardRequestSchema()), signal());
    const sent = JSON.parse(sim.calls.at(-1)!.body).response_format.json_schema.schema;
    expect(sent.properties.alignment_score).toMatchObject({ minimum: 0, maximum: 10 });
    expect(JSON.stringify(sent)).not.toContain("minLength");
  });

  test("a server that refuses the bounds by name is asked again at once without them, over the real client", async () => {
    const bodies: string[] = [];
    const server = async (_url: string | URL | Request, init?: RequestInit) => {
      const body = String(init?.body);
      bodies.push(body);
      if (body.includes('"minimum"')) {
        const error = { message: "Invalid schema for response_format 'forensic_verdict': In context=('properties', 'alignment_score'), 'minimum' is not permitted.", type: "invalid_request_error", param: "response_format", code: null };
        return new Response(JSON.stringify({ error }), { status: 400, headers: { "content-type": "application/json" } });
      }
      return new Response(JSON.stringify({ id: "x", choices: [{ index: 0, message: { role: "assistant", content: "{}" }, finish_reason: "stop" }] }), { headers: { "content-type": "application/json" } });
    };
    const p = makeProvider(testRung("openai", ["http://127.0.0.1:9/v1"], { model: "m" }), { fetch: server as typeof fetch });
    expect((await p.complete(request(shardRequestSchema()), signal())).text).toBe("{}");
    await p.complete(request(shardRequestSchema()), signal());
    expect(bodies.map((b) => JSON.parse(b).response_format.type)).toEqual(["json_schema", "json_schema", "json_schema"]);
    expect(bodies.map((b) => b.includes('"minimum"'))).toEqual([true, false, false]);
  });

  test("no message content → invalid; a body that is not JSON → invalid", async () => {
    const fake = (body: string) => async () => new Response(body, { headers: { "content-type": "application/json" } });
    const rung = testRung("openai", ["http://127.0.0.1:9/v1"], { model: "m" });
    const empty = await failureOf(
      makeProvider(rung, { fetch: fake(JSON.stringify({ id: "x", choices: [{ index: 0, message: { role: "assistant", content: null, refusal: "I can't help" }, finish_reason: "stop" }] })) }).complete(request(), signal()),
    );
    expect(empty.kind).toBe("invalid");
    expect(empty.message).toContain("I can't help");
    expect((await failureOf(makeProvider(rung, { fetch: fake('{"choices": [') }).complete(request(), signal()))).kind).toBe("invalid");
  });
});

describe("failures map to ProviderError kinds, with no client-side retries", () => {
  test("500 → http 500, asked once", async () => {
    const before = callsTo(sim, "e500");
    const e = await failureOf(provider("e500").complete(request(), signal()));
    expect([e.kind, e.status]).toEqual(["http", 500]);
    expect(callsTo(sim, "e500") - before).toBe(1);
  });

  test("429 → http 429 with retryAfterMs 1000, asked once", async () => {
    const before = callsTo(sim, "limited");
    const e = await failureOf(provider("limited").complete(request(), signal()));
    expect([e.kind, e.status, e.retryAfterMs]).toEqual(["http", 429, 1000]);
    expect(callsTo(sim, "limited") - before).toBe(1);
  });

  for (const body of ["stalled", "slow"] as const) {
    test(`headers, then a ${body} body that never ends → timeout within the rung timeout (it covers the body)`, async () => {
      const started = performance.now();
      const e = await failureOf(provider(body, sim.openaiBaseUrl, { timeoutMs: 300 }).complete(request(), signal()));
      const took = performance.now() - started;
      expect(e.kind).toBe("timeout");
      expect(took).toBeGreaterThanOrEqual(280);
      expect(took).toBeLessThan(1500);
    });
  }

  test("a model that never answers → timeout within the rung timeout", async () => {
    const started = performance.now();
    const e = await failureOf(provider("hang", sim.openaiBaseUrl, { timeoutMs: 300 }).complete(request(), signal()));
    const took = performance.now() - started;
    expect(e.kind).toBe("timeout");
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(1500);
  });

  test("connection refused → connection", async () => {
    const e = await failureOf(provider("good", `${await closedPort()}/v1`).complete(request(), signal()));
    expect(e.kind).toBe("connection");
  });

  test("a body cut mid-way → ProviderError, not a short answer", async () => {
    const e = await failureOf(provider("cut").complete(request(), signal()));
    expect(["connection", "invalid"]).toContain(e.kind);
  });

  test("the caller's abort passes through as its own reason", async () => {
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
  test("a key is sent as a bearer token; a keyless rung sends no Authorization at all", async () => {
    await provider("good", keyed.openaiBaseUrl, {}, KEY).complete(request(), signal());
    expect(keyed.calls.at(-1)?.authorization).toBe(true);
    const e = await failureOf(provider("good", keyed.openaiBaseUrl).complete(request(), signal()));
    expect([e.kind, e.status]).toEqual(["http", 401]);
    expect(keyed.calls.at(-1)?.authorization).toBe(false);
  });

  test("the key never appears in errors: 500, timeout, a server that echoes it", async () => {
    const errors = [
      await failureOf(provider("e500", keyed.openaiBaseUrl, {}, KEY).complete(request(), signal())),
      await failureOf(provider("hang", keyed.openaiBaseUrl, { timeoutMs: 200 }, KEY).complete(request(), signal())),
    ];
    const echo = async (input: string | URL | Request, init?: RequestInit) => {
      const auth = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).get("authorization");
      return Response.json({ error: { message: `Incorrect API key provided: ${auth}`, type: "invalid_request_error" } }, { status: 401 });
    };
    const echoed = await failureOf(makeProvider(testRung("openai", ["https://api.example.invalid/v1"], { model: "m" }), { apiKey: KEY, fetch: echo }).complete(request(), signal()));
    expect(echoed.message).toContain("Incorrect API key provided: Bearer [redacted]");
    for (const e of [...errors, echoed]) {
      expect(`${e.message} ${String((e.cause as Error | undefined)?.message)}`).not.toContain(KEY);
    }
  });
});

describe("probe", () => {
  test("model present / absent / unreachable", async () => {
    const [present] = await provider("good").probe(signal());
    expect(present).toMatchObject({ server: sim.openaiBaseUrl, reachable: true, modelPresent: true });
    const [latest] = await provider("big").probe(signal());
    expect(latest?.modelPresent).toBe(true);
    const [absent] = await provider("gpt-oss:120b").probe(signal());
    expect(absent).toMatchObject({ reachable: true, modelPresent: false });
    expect(absent?.detail).toContain("gpt-oss:120b not found");
    const [dead] = await provider("good", `${await closedPort()}/v1`).probe(signal());
    expect(dead).toMatchObject({ reachable: false, modelPresent: false });
  });
});
