/** Context windows through the real clients: num_ctx, the server's prompt count, "length", overflow refusals, the probed window. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { makeProvider } from "../../pipeline/providers/make-provider";
import type { CompletionRequest } from "../../pipeline/providers/provider";
import { type SimServer, startSimServer } from "../../scripts/sim-server";
import { SYSTEM, failureOf, fixtureText, shardPrompt, testRung } from "./fixtures";

let sim: SimServer;
beforeAll(async () => {
  sim = await startSimServer({
    behaviours: { roomy: "good", small: "good", terse: "good", boundless: "good" },
    windows: { roomy: { contextTokens: 32768 }, small: { contextTokens: 512 }, terse: { contextTokens: 32768, outputTokens: 20 } },
  });
});
afterAll(() => sim.stop());

const signal = () => new AbortController().signal;
/** About 900 tokens at the sim's four characters a token: more than `small` holds. */
const long: CompletionRequest = { system: SYSTEM, prompt: `${shardPrompt("ledger.rs").prompt}\n${fixtureText("ledger.rs").repeat(4)}` };
const short: CompletionRequest = { system: SYSTEM, prompt: shardPrompt("ledger.rs").prompt };

describe("ollama", () => {
  const provider = (model: string, contextTokens = 8192) => makeProvider(testRung("ollama", [sim.ollamaHost], { model, contextTokens }));

  test("every call carries num_ctx = the rung's window, and the completion says which window it ran with", async () => {
    const c = await provider("roomy", 6144).complete(short, signal());
    expect(sim.calls.at(-1)).toMatchObject({ numCtx: 6144, window: 6144, truncated: false });
    expect(c).toMatchObject({ window: 6144, finishReason: "stop", promptTokens: sim.calls.at(-1)!.promptTokens });
  });

  test("a rung without a window sends no num_ctx (Ollama then runs its own default)", async () => {
    await makeProvider(testRung("ollama", [sim.ollamaHost], { model: "roomy" })).complete(short, signal());
    expect(sim.calls.at(-1)!.numCtx).toBeUndefined();
  });

  test("a model whose real window is smaller than num_ctx: the prompt is cut, and prompt_eval_count says so", async () => {
    const c = await provider("small").complete(long, signal());
    const call = sim.calls.at(-1)!;
    expect(call).toMatchObject({ numCtx: 8192, window: 512, truncated: true });
    expect(call.promptTokens).toBeGreaterThan(800);
    expect(c.promptTokens).toBe(512);
    expect(c.window).toBe(512); // from /api/show: the window the call really ran with, not the num_ctx it asked for
    expect(c.text).not.toContain('"verdict"');
  });

  test("an answer over the output limit stops with done_reason length", async () => {
    const c = await provider("terse").complete(short, signal());
    expect(c).toMatchObject({ finishReason: "length", tokensOut: 20 });
  });

  test("a proxy that refuses an over-long prompt with 400 → context_overflow, with the window it names", async () => {
    const body = JSON.stringify({ error: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens." });
    const rung = testRung("ollama", ["http://127.0.0.1:9"], { model: "m", contextTokens: 8192 });
    const e = await failureOf(makeProvider(rung, { fetch: async () => new Response(body, { status: 400, headers: { "content-type": "application/json" } }) }).complete(short, signal()));
    expect(e).toMatchObject({ kind: "context_overflow", status: 400, window: 4096 });
    expect(e.message).toContain("context window exceeded");
  });

  test("probe reads the model's window from /api/show; a model that states none has none", async () => {
    const [shown] = await provider("small").probe(signal());
    expect(shown).toMatchObject({ reachable: true, modelPresent: true, contextTokens: 512 });
    const [silent] = await provider("boundless").probe(signal());
    expect(silent).toMatchObject({ reachable: true, modelPresent: true });
    expect(silent!.contextTokens).toBeUndefined();
  });
});

describe("openai", () => {
  const provider = (model: string, extra: Parameters<typeof testRung>[2] = {}) => makeProvider(testRung("openai", [sim.openaiBaseUrl], { model, contextTokens: 8192, ...extra }));

  test("the server's prompt count and finish reason come back", async () => {
    const c = await provider("roomy").complete(short, signal());
    expect(c).toMatchObject({ finishReason: "stop", promptTokens: sim.calls.at(-1)!.promptTokens });
    expect(c.window).toBeUndefined();
  });

  test("a prompt over the window is refused as vLLM does → context_overflow with window and requested tokens, asked once", async () => {
    const before = sim.calls.length;
    const e = await failureOf(provider("small", { maxOutputTokens: 256 }).complete(long, signal()));
    expect(sim.calls.length).toBe(before + 1);
    expect(sim.calls.at(-1)!.overflowed).toBe(true);
    expect(e).toMatchObject({ kind: "context_overflow", status: 400, window: 512 });
    expect(e.options.requestedTokens).toBe(sim.calls.at(-1)!.promptTokens + 256);
    expect(e.message).toMatch(/maximum context length is 512 tokens/);
  });

  test("an answer over the output limit stops with finish_reason length", async () => {
    const c = await provider("terse").complete(short, signal());
    expect(c).toMatchObject({ finishReason: "length", tokensOut: 20 });
  });

  test("probe reads max_model_len from /v1/models", async () => {
    const [listed] = await provider("small").probe(signal());
    expect(listed).toMatchObject({ modelPresent: true, contextTokens: 512 });
    const [silent] = await provider("boundless").probe(signal());
    expect(silent!.contextTokens).toBeUndefined();
  });
});
