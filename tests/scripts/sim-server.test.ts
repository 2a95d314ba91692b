/** The simulated model server: real protocol shapes (checked with the real clients) and answers about the prompt's code. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { promptTokens } from "../../scripts/sim/window";
import { Ollama } from "ollama";
import { OpenAI } from "openai";
import { validateShardVerdict } from "../../pipeline/verdict/verdict";
import { type Behaviour, type SimServer, parseModelArg, startSimServer } from "../../scripts/sim-server";
import { SYSTEM, fixtureText, linesWith, shardPrompt } from "../providers/fixtures";

const BEHAVIOURS: Record<string, Behaviour | Behaviour[]> = {
  good: "good",
  fenced: "good-fenced-chatter",
  thin: "thin",
  "thin-json": "thin-json",
  markdown: "markdown",
  malformed: "malformed",
  relative: "shard-relative",
  invent: "invent-evidence",
  "reduce-good": "reduce-good",
  "reduce-drop": "reduce-drop-shard",
  "reduce-invent": "reduce-invent",
  e500: "error500",
  limited: "ratelimit",
  hang: "hang",
  cut: "truncated-stream",
  seq: ["thin", "malformed", "good"],
  "qwen2.5-coder:7b": "good",
};

let sim: SimServer;
beforeAll(async () => {
  sim = await startSimServer({ behaviours: BEHAVIOURS });
});
afterAll(async () => {
  await sim.stop();
});

const ollama = () => new Ollama({ host: sim.ollamaHost });
const openai = () => new OpenAI({ baseURL: sim.openaiBaseUrl, apiKey: "k", maxRetries: 0, logLevel: "off" });

async function ask(model: string, prompt: string): Promise<string> {
  const res = await ollama().chat({ model, messages: [{ role: "system", content: SYSTEM }, { role: "user", content: prompt }], stream: false });
  return res.message.content;
}

function postChat(path: "/api/chat" | "/v1/chat/completions", body: Record<string, unknown>): Promise<Response> {
  return fetch(`${sim.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

type Verdict = NonNullable<ReturnType<typeof validateShardVerdict> & { ok: true }>["value"];

function verdictOf(text: string): Verdict {
  const v = validateShardVerdict(JSON.parse(text));
  if (!v.ok) throw new Error(`not a valid verdict: ${v.errors.join("; ")}`);
  return v.value;
}

describe("good answers are about the code in the prompt", () => {
  test("ledger.rs shard 2 (lines 12-31): one finding per planted marker, at its file line, quoting it exactly", async () => {
    const shard = shardPrompt("ledger.rs", 12, 31, "use std::collections::HashMap;\nimpl Ledger {");
    const text = await ask("good", shard.prompt);
    expect(text.length).toBeGreaterThanOrEqual(200);
    const v = verdictOf(text);
    const expected = [...linesWith(shard.lines, "TODO"), ...linesWith(shard.lines, "unimplemented!"), ...linesWith(shard.lines, "allow(dead_code)"), ...linesWith(shard.lines, "placeholder")].sort((a, b) => a - b);
    expect(v.pseudocode_flags.map((f) => f.line_start)).toEqual(expected);
    for (const f of v.pseudocode_flags) {
      expect(f.evidence).toBe(shard.lines[f.line_start - 1]!.trim());
      expect(f.line_end).toBe(f.line_start);
      expect(["medium", "high"]).toContain(f.severity);
      expect(f.confidence).toBeGreaterThanOrEqual(80);
      expect(f.confidence).toBeLessThanOrEqual(95);
    }
    expect(v.pseudocode_flags.find((f) => f.evidence === "unimplemented!()")?.severity).toBe("high");
    expect(v.verdict).toBe("needs_patch");
    expect(v.verified_components.length).toBeGreaterThan(0);
    const proof = v.verified_components[0]!;
    expect(proof.line_start).toBeGreaterThanOrEqual(12);
    expect(proof.evidence).not.toBe("");
    expect(proof.evidence).toBe(shard.lines[proof.line_start - 1]!.trim());
    expect(v.summary).toContain("src/ledger.rs");
    expect(Number.isInteger(v.alignment_score)).toBe(false);
  });

  test.each([
    ["loader.ts", ["catch {}", "FIXME", '"stub"']],
    ["sync.py", ["except: pass", "NotImplementedError"]],
  ])("%s: markers found at their lines", async (file, needles) => {
    const shard = shardPrompt(file);
    const v = verdictOf(await ask("good", shard.prompt));
    const expected = needles.flatMap((n) => linesWith(shard.lines, n)).sort((a, b) => a - b);
    expect(v.pseudocode_flags.map((f) => f.line_start)).toEqual(expected);
  });

  test("a file with no markers passes and still proves a real line", async () => {
    const shard = shardPrompt("clean.go");
    const v = verdictOf(await ask("good", shard.prompt));
    expect(v.verdict).toBe("pass");
    expect(v.pseudocode_flags).toEqual([]);
    const proof = v.verified_components[0]!;
    expect(proof.evidence).toBe(shard.lines[proof.line_start - 1]!.trim());
  });

  test("shard-relative numbers lines from the shard's first line", async () => {
    const shard = shardPrompt("ledger.rs", 12, 31);
    const v = verdictOf(await ask("relative", shard.prompt));
    const todo = linesWith(shard.lines, "TODO")[0]!;
    expect(v.pseudocode_flags[0]?.line_start).toBe(todo - 12 + 1);
    expect(v.pseudocode_flags[0]?.evidence).toBe(shard.lines[todo - 1]!.trim());
  });

  test("invent-evidence quotes code that is not in the file", async () => {
    const shard = shardPrompt("ledger.rs");
    const v = verdictOf(await ask("invent", shard.prompt));
    const invented = v.pseudocode_flags.filter((f) => !fixtureText("ledger.rs").includes(f.evidence));
    expect(invented.map((f) => f.evidence)).toEqual(["let secret = compute_magic();"]);
  });
});

describe("poor answers", () => {
  const shard = () => shardPrompt("ledger.rs");

  test("good-fenced-chatter wraps the same verdict in prose and a json fence", async () => {
    const text = await ask("fenced", shard().prompt);
    const m = /^([\s\S]+?)```json\n([\s\S]+?)\n```\n([\s\S]+)$/.exec(text);
    expect(m?.[1]?.trim().length).toBeGreaterThan(0);
    expect(m?.[3]?.trim().length).toBeGreaterThan(0);
    expect(verdictOf(m![2]!)).toEqual(verdictOf(await ask("good", shard().prompt)));
  });

  test("thin is short; thin-json is a verdict with no lists", async () => {
    expect((await ask("thin", shard().prompt)).length).toBeLessThan(200);
    expect(JSON.parse(await ask("thin-json", shard().prompt))).toEqual({ verdict: "pass", alignment_score: 7, summary: "ok" });
  });

  test("markdown has a score out of 10, a confidence table and a verdict line", async () => {
    const text = await ask("markdown", shard().prompt);
    expect(text).toContain("Score: 4.5/10");
    expect(text).toMatch(/\|\s*Confidence\s*\|/);
    expect(text).toMatch(/\|\s*\d+%\s*\|/);
    expect(text).toMatch(/^Verdict: needs_patch$/m);
  });

  test("malformed is cut-off JSON", async () => {
    const text = await ask("malformed", shard().prompt);
    expect(text.trimStart().startsWith("{")).toBe(true);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });
});

describe("reduce behaviours", () => {
  const payload = JSON.parse(fixtureText("reduce-shards.json")) as { shards: { index: number }[] };
  const prompt = `Combine these shard verdicts into one file verdict.\n\n\`\`\`json\n${JSON.stringify(payload, null, 2)}\n\`\`\`\n`;
  const real = ["fp-new-0001", "fp-todo-0002", "fp-unimpl-0003", "fp-placeholder-0004"];

  test("reduce-good cites every shard and only real fingerprints", async () => {
    const r = JSON.parse(await ask("reduce-good", prompt));
    expect(r.shards_cited).toEqual([0, 1, 2]);
    expect(r.findings_cited.length).toBeGreaterThan(0);
    expect(r.findings_cited.every((f: string) => real.includes(f))).toBe(true);
    expect(r.verdict).toBe("needs_patch");
    expect(typeof r.alignment_score).toBe("number");
    expect(r.summary).toContain("src/ledger.rs");
  });

  test("reduce-drop-shard leaves out the last shard", async () => {
    const r = JSON.parse(await ask("reduce-drop", prompt));
    expect(r.shards_cited).toEqual([0, 1]);
  });

  test("reduce-invent cites a fingerprint no shard produced", async () => {
    const r = JSON.parse(await ask("reduce-invent", prompt));
    expect(r.shards_cited).toEqual([0, 1, 2]);
    expect(r.findings_cited.filter((f: string) => !real.includes(f))).toHaveLength(1);
  });
});

describe("protocols", () => {
  test("a behaviour list is used in order per model, the last one repeating", async () => {
    const p = shardPrompt("ledger.rs").prompt;
    const texts = [await ask("seq", p), await ask("seq", p), await ask("seq", p), await ask("seq", p)];
    expect(texts[0]).toBe("Looks fine overall.");
    expect(() => JSON.parse(texts[1]!)).toThrow();
    expect(verdictOf(texts[2]!).verdict).toBe("needs_patch");
    expect(texts[3]).toBe(texts[2]!);
  });

  test("ollama: tokens are ceil(chars/4) of each message plus its template tokens, and of the answer; streaming gives the same text in pieces", async () => {
    const p = shardPrompt("ledger.rs").prompt;
    const whole = await ollama().chat({ model: "good", messages: [{ role: "system", content: SYSTEM }, { role: "user", content: p }], stream: false });
    expect(whole.prompt_eval_count).toBe(promptTokens([SYSTEM, p], 4));
    expect(whole.eval_count).toBe(Math.ceil(whole.message.content.length / 4));
    const pieces: string[] = [];
    let last: { done: boolean; eval_count?: number } | undefined;
    for await (const part of await ollama().chat({ model: "good", messages: [{ role: "user", content: p }], stream: true })) {
      pieces.push(part.message.content);
      last = part;
    }
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.join("")).toBe(whole.message.content);
    expect(last?.done).toBe(true);
  });

  test("ollama streams when `stream` is left out, like the real server", async () => {
    const res = await postChat("/api/chat", { model: "thin", messages: [{ role: "user", content: "hi" }] });
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.at(-1).done).toBe(true);
  });

  test("openai: usage is reported; SSE streaming gives the same text and a usage chunk", async () => {
    const p = shardPrompt("ledger.rs").prompt;
    const whole = await openai().chat.completions.create({ model: "good", messages: [{ role: "system", content: SYSTEM }, { role: "user", content: p }] });
    const text = whole.choices[0]?.message.content ?? "";
    expect(whole.usage).toMatchObject({ prompt_tokens: promptTokens([SYSTEM, p], 4), completion_tokens: Math.ceil(text.length / 4) });
    const stream = await openai().chat.completions.create({ model: "good", messages: [{ role: "user", content: p }], stream: true, stream_options: { include_usage: true } });
    let streamed = "";
    let usage: unknown;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(streamed).toBe(text);
    expect(usage).toMatchObject({ completion_tokens: Math.ceil(text.length / 4) });
  });

  test("model lists: /api/tags names untagged models :latest, /v1/models lists ids; /api/version answers", async () => {
    const tags = await ollama().list();
    expect(tags.models.map((m) => m.name)).toContain("good:latest");
    expect(tags.models.map((m) => m.name)).toContain("qwen2.5-coder:7b");
    const models = await openai().models.list();
    expect(models.data.map((m) => m.id)).toContain("qwen2.5-coder:7b");
    expect((await ollama().version()).version).toBeString();
  });

  test("unknown model → 404 \"model 'x' not found\" on both protocols", async () => {
    const o = await postChat("/api/chat", { model: "nope", messages: [], stream: false });
    expect(o.status).toBe(404);
    expect(await o.json()).toEqual({ error: "model 'nope' not found" });
    const a = await postChat("/v1/chat/completions", { model: "nope", messages: [] });
    expect(a.status).toBe(404);
    expect(((await a.json()) as { error: { message: string } }).error.message).toBe("model 'nope' not found");
  });

  test("error500 and ratelimit: statuses, JSON bodies, Retry-After: 1", async () => {
    for (const path of ["/api/chat", "/v1/chat/completions"] as const) {
      const e = await postChat(path, { model: "e500", messages: [{ role: "user", content: "x" }], stream: false });
      expect(e.status).toBe(500);
      expect(e.headers.get("content-type")).toContain("application/json");
      expect(await e.json()).toHaveProperty("error");
      const r = await postChat(path, { model: "limited", messages: [{ role: "user", content: "x" }], stream: false });
      expect(r.status).toBe(429);
      expect(r.headers.get("retry-after")).toBe("1");
      await r.text();
    }
  });

  test("truncated-stream: both streaming clients fail after some chunks instead of ending short", async () => {
    const seen: string[] = [];
    const consumeOllama = async () => {
      for await (const part of await ollama().chat({ model: "cut", messages: [{ role: "user", content: "x" }], stream: true })) seen.push(part.message.content);
    };
    await expect(consumeOllama()).rejects.toThrow();
    expect(seen.length).toBeGreaterThan(0);
    const consumeOpenai = async () => {
      const s = await openai().chat.completions.create({ model: "cut", messages: [{ role: "user", content: "x" }], stream: true });
      for await (const _ of s) void _;
    };
    await expect(consumeOpenai()).rejects.toThrow();
  });

  test("truncated-stream without streaming: the body is cut mid-way", async () => {
    for (const path of ["/api/chat", "/v1/chat/completions"] as const) {
      const res = await postChat(path, { model: "cut", messages: [{ role: "user", content: "x" }], stream: false });
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
    }
  });
});

describe("recording, keys, hang, latency", () => {
  test("calls record protocol, stream, structured and whether a key came, never its value", async () => {
    const keyed = await startSimServer({ behaviours: { m: "thin" }, apiKey: "sk-sim-secret-42" });
    try {
      const bare = await fetch(`${keyed.url}/api/chat`, { method: "POST", body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hello" }], stream: false }) });
      expect(bare.status).toBe(401);
      const withKey = new Ollama({ host: keyed.ollamaHost, headers: { Authorization: "Bearer sk-sim-secret-42" } });
      await withKey.chat({ model: "m", messages: [{ role: "user", content: "hello" }], stream: false, format: { type: "object" }, options: { temperature: 0.1, num_predict: 64 } });
      const viaOpenai = new OpenAI({ baseURL: keyed.openaiBaseUrl, apiKey: "sk-sim-secret-42", maxRetries: 0, logLevel: "off" });
      await viaOpenai.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hello" }], max_tokens: 32 });
      expect(keyed.calls.map((c) => [c.protocol, c.authorization, c.structured, c.stream, c.behaviour])).toEqual([
        ["ollama", false, false, false, undefined],
        ["ollama", true, true, false, "thin"],
        ["openai", true, false, false, "thin"],
      ]);
      expect(keyed.calls[1]).toMatchObject({ user: "hello", temperature: 0.1, maxTokens: 64, format: { type: "object" } });
      expect(keyed.calls[2]?.maxTokens).toBe(32);
      expect(JSON.stringify(keyed.calls)).not.toContain("sk-sim-secret-42");
    } finally {
      await keyed.stop();
    }
  });

  test("hang answers nothing until the client aborts, and stop() still returns at once", async () => {
    const own = await startSimServer({ behaviours: { h: "hang" } });
    const started = performance.now();
    const res = fetch(`${own.url}/api/chat`, { method: "POST", body: JSON.stringify({ model: "h", messages: [], stream: false }), signal: AbortSignal.timeout(150) });
    await expect(res).rejects.toThrow();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    // A second hung request is still open when the server stops.
    const open = fetch(`${own.url}/api/chat`, { method: "POST", body: JSON.stringify({ model: "h", messages: [], stream: false }) });
    await Bun.sleep(30);
    const stopping = performance.now();
    await own.stop();
    expect(performance.now() - stopping).toBeLessThan(1000);
    await open.then((r) => r.text()).catch(() => undefined);
    expect(own.calls).toHaveLength(2);
  });

  test("latencyMs delays every answer", async () => {
    const slow = await startSimServer({ behaviours: { m: "thin" }, latencyMs: 120 });
    try {
      const started = performance.now();
      await new Ollama({ host: slow.ollamaHost }).chat({ model: "m", messages: [{ role: "user", content: "x" }], stream: false });
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    } finally {
      await slow.stop();
    }
  });

  test("unknown behaviours are refused with the valid list; --model args parse", async () => {
    await expect(startSimServer({ behaviours: { m: "bogus" as Behaviour } })).rejects.toThrow(/Expected a behaviour for model "m" from: good, /);
    expect(parseModelArg("qwen2.5-coder:7b=good")).toEqual(["qwen2.5-coder:7b", ["good"]]);
    expect(parseModelArg("big=thin,good")).toEqual(["big", ["thin", "good"]]);
    expect(() => parseModelArg("big")).toThrow(/NAME=BEHAVIOUR/);
  });
});
