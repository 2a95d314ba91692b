/**
 * Context windows end to end: no request the window cuts, num_ctx on every Ollama call, rungs too small skipped,
 * shards too big for every window re-split, and truncation, overflow and cut-off answers caught and escalated.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { DEFAULT_RESERVED_OUTPUT_TOKENS } from "../../pipeline/review/tokens";
import { shardFile } from "../../pipeline/shard/shard";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { REPO, makeProject, rung } from "./harness";

/** The 4,096-token window of the "done when", on every model of this server. */
const WINDOW = 4096;
let sim: SimServer;
/** Real windows for forcing: `tiny` holds 2,048 tokens whatever the rung says, `terse` answers 30 tokens at most. */
let forced: SimServer;
beforeAll(async () => {
  sim = await startSimServer({ behaviours: { reviewer: "good" }, window: { contextTokens: WINDOW } });
  forced = await startSimServer({
    behaviours: { tiny: "good", terse: "good", "big-good": "good" },
    windows: { tiny: { contextTokens: 2048 }, terse: { contextTokens: 32768, outputTokens: 30 } },
  });
});
afterAll(() => Promise.all([sim.stop(), forced.stop()]));

/** Every file under `dir` of the repository, as makeProject's map (the project keeps the repository's paths). */
function treeOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string) => {
    for (const name of readdirSync(abs)) {
      // A .scrum/ folder is a repository's own config (the demo's promotes stub rules): this sweep must use the project's ladder.
      if (name === ".scrum") continue;
      const path = join(abs, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(REPO, path)] = relative(REPO, path);
    }
  };
  walk(join(REPO, dir));
  return out;
}

/** One file as a single shard: the sweep's thresholds raised so the window, not the sharder, decides. */
const ONE_SHARD = `[sweep]\nshard_threshold_chars = 40000\nmax_shard_chars = 40000\n\n`;
/** About 11,000 characters of Rust: one shard of ~4,800 estimated tokens with the system prompt; the sim counts ~3,700. */
const BIG = { "src/ladder.ts": "pipeline/review/ladder.ts" };

type Row = Record<string, unknown>;
const attemptsOf = (p: ReturnType<typeof makeProject>) => {
  const db = p.db();
  const rows = db.prepare(`SELECT path, shard_index, rung, outcome, reason FROM attempts ORDER BY id`).all() as Row[];
  db.close();
  return rows;
};

for (const protocol of ["ollama", "openai"] as const) {
  describe(`a ${WINDOW}-token window over the ${protocol} protocol`, () => {
    const url = (s: SimServer) => (protocol === "ollama" ? s.ollamaHost : s.openaiBaseUrl);

    test("a sweep of the project's sources and the demo repository sends nothing the window cuts", async () => {
      const files = protocol === "ollama" ? { ...treeOf("pipeline"), ...treeOf("examples/demo-repo") } : treeOf("examples/demo-repo");
      const p = makeProject(files, rung("local", protocol, url(sim), "reviewer", `context_tokens = ${WINDOW}\nconcurrency = 8`));
      const from = sim.calls.length;
      try {
        const r = await p.scrum("run", ...(protocol === "ollama" ? ["pipeline"] : []), "examples/demo-repo", "--json");
        expect(r.code).toBe(0);
        const calls = sim.calls.slice(from);
        expect(calls.length).toBeGreaterThan(protocol === "ollama" ? 150 : 10);
        expect(calls.filter((c) => c.truncated || c.overflowed)).toEqual([]);
        if (protocol === "ollama") {
          for (const c of calls) {
            expect(c.numCtx).toBe(WINDOW);
            expect(c.numCtx!).toBeGreaterThanOrEqual(c.promptTokens + DEFAULT_RESERVED_OUTPUT_TOKENS);
          }
        }
        const db = p.db();
        const files = db.prepare(`SELECT path, verdict, coverage_complete, shards FROM file_reviews WHERE verdict != 'skipped'`).all() as Row[];
        const notAccepted = db.prepare(`SELECT path, outcome, reason FROM attempts WHERE outcome != 'accepted'`).all() as Row[];
        db.close();
        // The only answers refused are those longer than the 1,024-token answer reserve (the simulated reviewer lists
        // every marker line of a shard), which num_predict / max_tokens cut as a real server would: never a prompt.
        const cutAnswer = (a: Row) => String(a.reason).startsWith("answer cut off by max_output_tokens after 1024 tokens");
        expect(notAccepted.filter((a) => !cutAnswer(a))).toEqual([]);
        const cutFiles = new Set(notAccepted.map((a) => a.path));
        expect(files.filter((f) => (f.verdict === "unreviewed" || f.coverage_complete !== 1) && !cutFiles.has(f.path))).toEqual([]);
        expect(files.length - cutFiles.size).toBeGreaterThan(protocol === "ollama" ? 100 : 5);
        // The window, not the sweep's 6,000 characters, set the shard size of the bigger files.
        const resplit = await Promise.all(
          files.slice(0, 40).map(async (f) => {
            const plan = await shardFile(String(f.path), await Bun.file(join(p.dir, String(f.path))).text(), { thresholdChars: 6000, maxShardChars: 6000 });
            return Number(f.shards) > plan.shards.length;
          }),
        );
        expect(resplit.some(Boolean)).toBe(true);
      } finally {
        p.cleanup();
      }
    }, 30_000);

    test("an answer cut off by the model's own output limit is invalid (never thin), named as the server's cap, and the shard climbs", async () => {
      const p = makeProject({ "src/ledger.rs": "tests/fixtures/sim/ledger.rs" }, [rung("short", protocol, url(forced), "terse"), rung("big", protocol, url(forced), "big-good")].join("\n"));
      try {
        expect((await p.scrum("run", "src", "--quiet")).code).toBe(0);
        const attempts = attemptsOf(p);
        expect(attempts.map((a) => [a.rung, a.outcome])).toEqual([["short", "invalid"], ["big", "accepted"]]);
        // `terse` stops at 30 tokens of its own: neither max_output_tokens nor the window, so raising them would not help.
        expect(attempts[0]!.reason).toMatch(/^answer stopped after 30 tokens by the server \(prompt \d+ \+ answer 30 = \d+ tokens; neither max_output_tokens = 1024 nor context_tokens = \d+ reached\): a window of \d+ tokens on the server \(llama.cpp --n_ctx\) or an output cap of its own/);
      } finally {
        p.cleanup();
      }
    });

    test("a rung whose window cannot hold the shard is skipped with the reason; the next rung that fits reviews it, unsplit", async () => {
      const p = makeProject(BIG, ONE_SHARD + [rung("small", protocol, url(forced), "tiny", "context_tokens = 2048"), rung("big", protocol, url(forced), "big-good", "context_tokens = 32768")].join("\n"));
      const from = forced.calls.length;
      try {
        expect((await p.scrum("run", "src", "--quiet")).code).toBe(0);
        const attempts = attemptsOf(p);
        expect(attempts.map((a) => [a.rung, a.outcome])).toEqual([["small", "skipped"], ["big", "accepted"]]);
        expect(attempts[0]!.reason).toMatch(/^window too small: the request needs ~\d+ tokens .* and context_tokens is 2048$/);
        expect(forced.calls.slice(from).map((c) => c.model)).toEqual(["big-good"]);
        const show = await p.scrum("show", "src/ladder.ts");
        expect(show.out).toMatch(/skipped/);
        expect(show.out).toMatch(/window too small/);
      } finally {
        p.cleanup();
      }
    });

    test("a shard too big for every rung's window is re-split at statement level; coverage stays whole", async () => {
      // Room for ~900 tokens of code once the system prompt, the answer's room and (OpenAI) the json_schema are counted.
      const context = protocol === "ollama" ? 3200 : WINDOW;
      const p = makeProject(BIG, ONE_SHARD + rung("only", protocol, url(sim), "reviewer", `context_tokens = ${context}`));
      const from = sim.calls.length;
      try {
        expect((await p.scrum("run", "src", "--quiet")).code).toBe(0);
        const db = p.db();
        const file = db.prepare(`SELECT verdict, shards, coverage_complete, review_json FROM file_reviews`).get() as Row;
        db.close();
        expect(file.verdict).not.toBe("unreviewed");
        expect(Number(file.shards)).toBeGreaterThan(2);
        expect(file.coverage_complete).toBe(1);
        const shards = (JSON.parse(String(file.review_json)) as { shard_reviews: { line_start: number; line_end: number }[] }).shard_reviews;
        const lines = (await Bun.file(join(p.dir, "src/ladder.ts")).text()).replace(/\n$/, "").split("\n").length;
        expect(shards[0]!.line_start).toBe(1);
        expect(shards.at(-1)!.line_end).toBe(lines);
        shards.slice(1).forEach((s, i) => expect(s.line_start).toBe(shards[i]!.line_end + 1));
        expect(attemptsOf(p).every((a) => a.outcome === "accepted")).toBe(true);
        expect(sim.calls.slice(from).filter((c) => c.truncated || c.overflowed)).toEqual([]);
      } finally {
        p.cleanup();
      }
    });
  });
}

describe("a rung configured larger than the server's real window", () => {
  test("ollama: the cut prompt is caught as invalid from prompt_eval_count, escalated, and shown", async () => {
    const p = makeProject(BIG, ONE_SHARD + [rung("local", "ollama", forced.ollamaHost, "tiny", "context_tokens = 16384"), rung("big", "openai", forced.openaiBaseUrl, "big-good")].join("\n"));
    const from = forced.calls.length;
    try {
      expect((await p.scrum("run", "src", "--quiet")).code).toBe(0);
      const first = forced.calls.slice(from)[0]!;
      expect(first).toMatchObject({ model: "tiny", numCtx: 16384, window: 2048, truncated: true });
      const attempts = attemptsOf(p);
      expect(attempts.map((a) => [a.rung, a.outcome])).toEqual([["local", "invalid"], ["big", "accepted"]]);
      expect(attempts[0]!.reason).toMatch(/^prompt truncated by the server \(2048 of ~\d+ tokens read\)$/);
      const show = await p.scrum("show", "src/ladder.ts");
      expect(show.out).toMatch(/invalid/);
      expect(show.out).toMatch(/prompt truncated by the server \(2048 of ~\d+ tokens read\)/);
    } finally {
      p.cleanup();
    }
  });

  test("openai: the 400 is a context overflow, not retried on the same rung, and the shard climbs", async () => {
    const p = makeProject(BIG, ONE_SHARD + [rung("vllm", "openai", forced.openaiBaseUrl, "tiny", "context_tokens = 16384\nretries = 2"), rung("big", "openai", forced.openaiBaseUrl, "big-good")].join("\n"));
    const from = forced.calls.length;
    try {
      expect((await p.scrum("run", "src", "--quiet")).code).toBe(0);
      expect(forced.calls.slice(from).map((c) => [c.model, c.overflowed])).toEqual([["tiny", true], ["big-good", false]]);
      const attempts = attemptsOf(p);
      expect(attempts.map((a) => [a.rung, a.outcome])).toEqual([["vllm", "error"], ["big", "accepted"]]);
      expect(attempts[0]!.reason).toMatch(/context window exceeded \(HTTP 400: This model's maximum context length is 2048 tokens/);
      expect(attempts[0]!.reason).not.toMatch(/retries/);
    } finally {
      p.cleanup();
    }
  });

  test("ollama: a server that counts denser than the estimate fills num_ctx to the edge; caught as truncated", async () => {
    // Two characters a token on the server, three in the estimate: the request looks like it fits 6,000 and does not.
    const dense = await startSimServer({ behaviours: { dense: "good", "big-good": "good" }, windows: { dense: { contextTokens: 32768 } }, charsPerToken: 2 });
    const p = makeProject({}, ONE_SHARD + [rung("local", "ollama", dense.ollamaHost, "dense", "context_tokens = 6000"), rung("big", "openai", dense.openaiBaseUrl, "big-good")].join("\n"));
    // ~9,500 characters of prompt: with the system prompt and its fence notice, ~4,500 estimated tokens + 1,024 reserved fit 6,000; the server counts ~6,800.
    const body = Array.from({ length: 180 }, (_, i) => `    total = total + step(${i}, values)  # r${i}`).join("\n");
    writeFileSync(join(p.dir, "src.py"), `def run(values):\n    total = 0\n${body}\n    return total\n`);
    try {
      expect((await p.scrum("run", "src.py", "--quiet")).code).toBe(0);
      expect(dense.calls[0]).toMatchObject({ model: "dense", numCtx: 6000, window: 6000, truncated: true });
      const attempts = attemptsOf(p);
      expect(attempts.map((a) => [a.rung, a.outcome])).toEqual([["local", "invalid"], ["big", "accepted"]]);
      expect(attempts[0]!.reason).toMatch(/^prompt truncated by the server \(6000 of ~\d+ tokens read\)$/);
    } finally {
      p.cleanup();
      await dense.stop();
    }
  });
});

test("config check reads each model's real window and warns when context_tokens is larger", async () => {
  const p = makeProject({}, [rung("local", "ollama", forced.ollamaHost, "tiny", "context_tokens = 16384"), rung("vllm", "openai", forced.openaiBaseUrl, "tiny", "context_tokens = 2048"), rung("free", "ollama", forced.ollamaHost, "big-good")].join("\n"));
  try {
    const r = await p.scrum("config", "check");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/warning: rung local: context_tokens = 16384 but .* reports a window of 2048 tokens for tiny; Ollama clamps num_ctx .* Set context_tokens = 2048/);
    expect(r.out).not.toMatch(/warning: rung (vllm|free): context_tokens/);
    // 2048 tokens cannot hold the forensic system prompt, one small function and the 1024-token answer reserve.
    expect(r.out).toMatch(/warning: rung vllm: a minimal review needs ~\d+ tokens .* but the window is 2048/);
    expect(r.out).not.toMatch(/warning: rung free/);
    // A real round trip per server: answered, the shape accepted, the system message kept.
    expect(r.out).toMatch(/vllm\s+http:\/\/127\.0\.0\.1:\d+\/v1\s+yes\s+\d+ ms\s+json_schema\s+kept \(\d+ of ~\d+ tokens read\)\s+2048 \(listing\)/);
    expect(r.out).toMatch(/16384 \(server 2048\)/);
    expect(r.out).toMatch(/8192 \(server \?\)/);
    const json = JSON.parse((await p.scrum("config", "check", "--json")).out) as { rungs: { rung: string; context_tokens: number; warnings: string[]; servers: { contextTokens?: number }[] }[] };
    const by = Object.fromEntries(json.rungs.map((x) => [x.rung, x]));
    expect(by.local).toMatchObject({ context_tokens: 16384, servers: [{ contextTokens: 2048 }] });
    expect(by.local!.warnings.filter((w) => w.startsWith("context_tokens"))).toHaveLength(1);
    expect(by.vllm!.warnings.filter((w) => w.startsWith("context_tokens"))).toEqual([]);
    expect(by.free).toMatchObject({ context_tokens: 8192, warnings: [] });
  } finally {
    p.cleanup();
  }
});

test("config check exits 2 naming the numbers when no model rung's window holds a minimal review", async () => {
  const p = makeProject({}, rung("vllm", "openai", forced.openaiBaseUrl, "tiny", "context_tokens = 2048"));
  try {
    const r = await p.scrum("config", "check");
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/a minimal review needs ~\d+ tokens \(~\d+ for the system prompt and one small function \+ 1024 reserved for the answer\) but the window is 2048/);
    expect(r.out).toMatch(/error: no model rung's window can hold a minimal review/);
  } finally {
    p.cleanup();
  }
});

test("a run whose ladder no window can hold stops before it starts, exit 2, naming the numbers, nothing sent", async () => {
  const p = makeProject(BIG, ONE_SHARD + rung("vllm", "openai", forced.openaiBaseUrl, "tiny", "context_tokens = 2048"));
  const from = forced.calls.length;
  try {
    const r = await p.scrum("run", "src");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no model rung's context window can hold a minimal review/);
    expect(r.err).toMatch(/rung vllm: ~\d+ tokens for the system prompt and one small function \+ 1024 reserved for the answer = ~\d+ > window 2048/);
    expect(forced.calls.length).toBe(from);
    const estimate = JSON.parse((await p.scrum("run", "src", "--estimate", "--json")).out) as { rungs: { over_window: number; tokens_in: number }[] };
    expect(estimate.rungs[0]).toMatchObject({ tokens_in: 0 });
    expect(estimate.rungs[0]!.over_window).toBeGreaterThan(0);
  } finally {
    p.cleanup();
  }
});

test("an answer the server's window stopped (llama.cpp lowers max_tokens to the room left) says so and what to change, not 'raise max_output_tokens'", async () => {
  // `filler` runs a 1,792-token window (the prompt takes ~1,520) and, like llama.cpp's server, stops the answer where the window ends; the rung
  // does not know the window (context_tokens unset: 32768), so the request is sent and the answer comes back cut.
  const filling = await startSimServer({ behaviours: { filler: "good", "big-good": "good" }, windows: { filler: { contextTokens: 1792, fillsWindow: true } } });
  const p = makeProject({ "src/ledger.rs": "tests/fixtures/sim/ledger.rs" }, [rung("small", "openai", filling.openaiBaseUrl, "filler"), rung("big", "openai", filling.openaiBaseUrl, "big-good")].join("\n"));
  try {
    expect((await p.scrum("run", "src", "--quiet")).code).toBe(0);
    const attempts = attemptsOf(p);
    expect(attempts.map((a) => [a.rung, a.outcome])).toEqual([["small", "invalid"], ["big", "accepted"]]);
    const call = filling.calls.find((c) => c.model === "filler")!;
    expect(call.cutOff).toBe(true);
    expect(attempts[0]!.reason).toBe(
      `answer stopped at the server's window of 1792 tokens (prompt ${call.promptTokens} + answer ${1792 - call.promptTokens}; max_output_tokens = ${DEFAULT_RESERVED_OUTPUT_TOKENS} not reached): use a smaller max_shard_chars or a rung with a larger window; context_tokens = 32768 overstates it, set context_tokens = 1792`,
    );
  } finally {
    p.cleanup();
    await filling.stop();
  }
});
