/** The simulated server's context windows: Ollama's cut from the front, vLLM's refusal, the output limit, /api/show, the CLI flag. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { type SimServer, startSimServer } from "../../scripts/sim-server";
import { OLLAMA_DEFAULT_NUM_CTX, OLLAMA_NUM_KEEP, limitAnswer, ollamaRead, ollamaWindow, parseWindowArg, promptTokens, vllmOverflow } from "../../scripts/sim/window";
import { SYSTEM, fixtureText, shardPrompt } from "../providers/fixtures";

describe("window rules", () => {
  test("Ollama keeps num_keep leading tokens and the tail that fits; the middle (the system prompt's instructions) is gone", () => {
    const prompt = `${"S".repeat(400)}${"U".repeat(400)}`;
    const read = ollamaRead(prompt, 200, 100, 4);
    expect(read).toMatchObject({ promptTokens: 100, truncated: true });
    expect(read.seen).toBe("S".repeat(OLLAMA_NUM_KEEP * 4) + "U".repeat((100 - OLLAMA_NUM_KEEP) * 4));
    expect(ollamaRead(prompt, 200, 200, 4)).toEqual({ promptTokens: 200, truncated: false, seen: prompt });
  });

  test.each([
    [undefined, 32768, OLLAMA_DEFAULT_NUM_CTX],
    [8192, 32768, 8192],
    [16384, 2048, 2048],
    [0, 32768, OLLAMA_DEFAULT_NUM_CTX],
  ])("num_ctx %p on a model of %p tokens runs a window of %p", (numCtx, model, window) => {
    expect(ollamaWindow({ contextTokens: model }, numCtx)).toBe(window);
  });

  test("a server that cuts at its own window ignores num_ctx", () => {
    expect(ollamaWindow({ contextTokens: 32768, cutsAt: 2048 }, 16384)).toBe(2048);
    expect(ollamaWindow({ contextTokens: 32768, cutsAt: 2048 }, undefined)).toBe(2048);
  });

  test.each([
    [3000, 1000, null],
    [3000, 1097, "This model's maximum context length is 4096 tokens. However, you requested 4097 tokens (3000 in the messages, 1097 in the completion)."],
    [4095, undefined, null],
    [4096, undefined, "This model's maximum context length is 4096 tokens. However, your messages resulted in 4096 tokens. Please reduce the length of the messages."],
  ])("vLLM: a %p-token prompt with max_tokens %p", (prompt, maxTokens, message) => {
    const refusal = vllmOverflow({ contextTokens: 4096 }, prompt, maxTokens);
    if (message === null) expect(refusal).toBeNull();
    else expect(refusal).toStartWith(message);
  });

  test("the output limit cuts the answer at its token count with finish length", () => {
    expect(limitAnswer("x".repeat(100), 10, 4)).toEqual({ text: "x".repeat(40), tokens: 10, finish: "length" });
    expect(limitAnswer("x".repeat(100), 25, 4)).toEqual({ text: "x".repeat(100), tokens: 25, finish: "stop" });
    expect(limitAnswer("x".repeat(100), undefined, 4).finish).toBe("stop");
  });

  test.each([
    ["big=4096", ["big", { contextTokens: 4096 }]],
    ["qwen2.5-coder:7b=8192/512", ["qwen2.5-coder:7b", { contextTokens: 8192, outputTokens: 512 }]],
  ] as const)("--window %s", (arg, parsed) => {
    expect(parseWindowArg(arg)).toEqual(parsed as never);
  });

  test.each(["big", "big=", "big=lots", "=4096", "big=2", "big=4096/0"])("--window %s is refused with what was expected", (arg) => {
    expect(() => parseWindowArg(arg)).toThrow(/--window NAME=CONTEXT_TOKENS|whole number/);
  });
});

describe("over HTTP", () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSimServer({ behaviours: { m: ["good", "thin"], free: "good" }, windows: { m: { contextTokens: 6000 } }, charsPerToken: 2 });
  });
  afterAll(() => sim.stop());
  const post = (path: string, body: unknown) => fetch(`${sim.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const user = shardPrompt("ledger.rs").prompt;

  test("Ollama without num_ctx runs its default window; the server's density sets the count", async () => {
    const long = `${user}\n${fixtureText("ledger.rs").repeat(12)}`;
    const res = (await (await post("/api/chat", { model: "m", stream: false, messages: [{ role: "system", content: SYSTEM }, { role: "user", content: long }] })).json()) as Record<string, unknown>;
    const call = sim.calls.at(-1)!;
    expect(call.promptTokens).toBe(promptTokens([SYSTEM, long], 2));
    expect(call).toMatchObject({ window: OLLAMA_DEFAULT_NUM_CTX, truncated: true });
    expect(res.prompt_eval_count).toBe(OLLAMA_DEFAULT_NUM_CTX);
    expect(JSON.stringify(res.message)).not.toContain("verdict");
  });

  test("an OpenAI refusal runs no model: the next call still gets the model's next scripted behaviour", async () => {
    const long = `${user}\n${fixtureText("ledger.rs").repeat(20)}`;
    const refused = await post("/v1/chat/completions", { model: "m", messages: [{ role: "user", content: long }] });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("context_length_exceeded");
    await post("/v1/chat/completions", { model: "m", messages: [{ role: "user", content: user }] });
    expect(sim.calls.at(-1)!.behaviour).toBe("thin");
  });

  test("/api/show: the window in model_info, none for a model without one, 404 for an unknown model", async () => {
    const shown = (await (await post("/api/show", { model: "m" })).json()) as { model_info: Record<string, unknown> };
    expect(shown.model_info).toMatchObject({ "general.architecture": "sim", "sim.context_length": 6000 });
    const free = (await (await post("/api/show", { model: "free:latest" })).json()) as { model_info: Record<string, unknown> };
    expect(free.model_info["sim.context_length"]).toBeUndefined();
    expect((await post("/api/show", { model: "nope" })).status).toBe(404);
  });
});

describe("the command line", () => {
  const script = resolve(import.meta.dir, "../../scripts/sim-server.ts");
  test("a bad --window exits 2 naming the flag", async () => {
    const p = Bun.spawn([process.execPath, script, "--model", "m=good", "--window", "m=huge"], { stdout: "pipe", stderr: "pipe" });
    expect(await p.exited).toBe(2);
    expect(await new Response(p.stderr).text()).toContain("--window NAME=CONTEXT_TOKENS");
  });

  test("--window and --context-tokens give models windows that /api/show reports", async () => {
    const p = Bun.spawn([process.execPath, script, "--port", "0", "--model", "m=good", "--model", "other=good", "--window", "m=2048/256", "--context-tokens", "4096"], { stdout: "pipe", stderr: "pipe" });
    try {
      const reader = p.stdout.getReader();
      let out = "";
      while (!out.includes("openai base_url")) out += new TextDecoder().decode((await reader.read()).value);
      const url = /listening on (\S+)/.exec(out)![1]!;
      const window = async (model: string) =>
        ((await (await fetch(`${url}/api/show`, { method: "POST", body: JSON.stringify({ model }) })).json()) as { model_info: Record<string, unknown> }).model_info["sim.context_length"];
      expect(await window("m")).toBe(2048);
      expect(await window("other")).toBe(4096);
    } finally {
      p.kill();
      await p.exited;
    }
  });
});
