import { describe, expect, test } from "bun:test";
import type { ShardInput } from "../../pipeline/providers/provider";
import { StaticProvider } from "../../pipeline/providers/static";
import { validateShardVerdict } from "../../pipeline/verdict/verdict";
import { DEMO_REPO, FIXTURES, listFiles, shardOf } from "./read-fixtures";

const MIN_CHARS = 200;
const live = () => new AbortController().signal;
const request = (shard?: ShardInput) => ({ system: "forensic prompt", prompt: "numbered code", shard });

/** Every shard the rung could be given here: fixtures, demo files, and the degenerate ones. */
const SHARDS: ShardInput[] = [
  ...listFiles(FIXTURES).map((p) => shardOf(FIXTURES, p)),
  ...listFiles(DEMO_REPO).map((p) => shardOf(DEMO_REPO, p)),
  { path: "src/blank.ts", language: "typescript", lineStart: 7, text: "\n\n   \n" },
  { path: "src/empty.py", language: "python", lineStart: 1, text: "" },
  { path: "data/notes.yaml", language: "text", lineStart: 1, text: "key: value" },
];

describe("the static provider answers like a model, and the answer passes acceptance", () => {
  test("kind, model and probe", async () => {
    const p = new StaticProvider();
    expect([p.kind, p.model]).toEqual(["static", "static-heuristics"]);
    expect(await p.probe(live())).toEqual([{ server: "local", reachable: true, modelPresent: true, detail: "built-in heuristics" }]);
  });

  for (const shard of SHARDS) {
    test(`${shard.path}: pretty JSON of ≥ ${MIN_CHARS} chars, a valid verdict, at least one finding or action`, async () => {
      const answer = await new StaticProvider().complete(request(shard), live());
      expect(answer.text.length).toBeGreaterThanOrEqual(MIN_CHARS);
      expect(answer.text).toStartWith('{\n  "verdict": ');
      const checked = validateShardVerdict(JSON.parse(answer.text));
      if (!checked.ok) throw new Error(checked.errors.join("; "));
      const v = checked.value;
      const entries = v.critical_failures.length + v.pseudocode_flags.length + v.required_next_actions.length + v.verified_components.length;
      expect(entries).toBeGreaterThan(0);
      expect([answer.tokensIn, answer.tokensOut]).toEqual([0, 0]);
    });
  }

  test("latency is measured with the injected clock", async () => {
    const ticks = [1000, 1007];
    const p = new StaticProvider({ now: () => ticks.shift()! });
    const answer = await p.complete(request(SHARDS[0]), live());
    expect(answer.latencyMs).toBe(7);
  });

  test("a request without the raw shard is the caller's bug and says so", async () => {
    await expect(new StaticProvider().complete(request(), live())).rejects.toThrow(/request\.shard is missing/);
  });

  test("an aborted signal stops the call", async () => {
    const controller = new AbortController();
    controller.abort(new Error("run cancelled"));
    await expect(new StaticProvider().complete(request(SHARDS[0]), controller.signal)).rejects.toThrow("run cancelled");
  });

  test("the answer reads the shard, not the prompt", async () => {
    const shard: ShardInput = { path: "src/a.rs", language: "rust", lineStart: 1, text: "fn a() {\n    todo!()\n}" };
    const a = await new StaticProvider().complete({ system: "x", prompt: "fn a() {}", shard }, live());
    const b = await new StaticProvider().complete({ system: "y", prompt: "something else entirely", shard }, live());
    expect(a.text).toBe(b.text);
    expect(JSON.parse(a.text).critical_failures[0].evidence).toBe("todo!()");
  });
});
