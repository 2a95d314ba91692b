import { describe, expect, test } from "bun:test";
import { STATIC_RUNG, type RungConfig } from "../../pipeline/config/config";
import { AnswerBatch } from "../../pipeline/call/answer-batch";
import { makeRung } from "../../pipeline/call/rung";
import { StaticProvider } from "../../pipeline/providers/static";
import { climbLadder, type LadderDeps } from "../../pipeline/review/ladder";
import { FakeProvider, goodAnswer } from "../fake-provider";

const request = { system: "sys", prompt: "review this", shard: { path: "a.rs", language: "rust", lineStart: 1, text: "todo!()" } };
const signal = new AbortController().signal;

const modelConfig: RungConfig = {
  name: "local", provider: "ollama", model: "m", servers: ["http://127.0.0.1:1"], concurrency: 1, timeoutMs: 1000, retries: 0,
  structured: true, cloud: false, costInPerMtok: 0, costOutPerMtok: 0,
};

describe("answers are judged in batches", () => {
  test("answers joining within the window are released together when it closes; the next one starts a new batch", async () => {
    const batch = new AnswerBatch(40);
    const released: number[] = [];
    const started = performance.now();
    const first = [batch.join(), batch.join(), batch.join()].map((p) => p.then(() => released.push(performance.now() - started)));
    await Bun.sleep(5);
    expect(released).toEqual([]);
    await Promise.all(first);
    expect(released.length).toBe(3);
    expect(Math.min(...released)).toBeGreaterThanOrEqual(35);
    expect(Math.max(...released) - Math.min(...released)).toBeLessThan(5);
    const again = performance.now();
    await batch.join();
    expect(performance.now() - again).toBeGreaterThanOrEqual(35);
  });

  test("a window of 0 judges each answer as it arrives; a negative one is refused", async () => {
    let done = false;
    const p = new AnswerBatch(0).join().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(true);
    await p;
    expect(() => new AnswerBatch(-1)).toThrow(/from 0 up/);
  });

  test("a model's answers wait for the batch (their queue slot free already); the static rung's never do", async () => {
    // Each answer takes 20 ms: without the batch, the first is judged while the second call is still out.
    const provider = new FakeProvider("m", [goodAnswer("todo!()", 1)]);
    const slow = Object.assign(Object.create(provider) as FakeProvider, {
      complete: async (...args: Parameters<FakeProvider["complete"]>) => (await Bun.sleep(20), provider.complete(...args)),
    });
    const rung = makeRung({ ...modelConfig, concurrency: 1 }, slow);
    const deps: LadderDeps = { minChars: 200, sleep: async () => {}, answers: new AnswerBatch(200) };
    // One slot: the second and third calls go out only once the first has given its slot back, which is before its
    // answer is judged; so when the first result is ready, all three calls have been made.
    const sentWhenDone: number[] = [];
    const results = await Promise.all([0, 1, 2].map((i) => climbLadder(request, i, [rung], deps, signal).then((r) => (sentWhenDone.push(provider.calls.length), r))));
    expect(results.every((r) => r.accepted?.rung === "local")).toBe(true);
    expect(sentWhenDone).toEqual([3, 3, 3]);

    const staticRung = makeRung(STATIC_RUNG, new StaticProvider({}));
    const never: LadderDeps = { minChars: 200, sleep: async () => {}, answers: new AnswerBatch(600_000) };
    const r = await climbLadder(request, 0, [staticRung], never, signal);
    expect(r.accepted?.rung).toBe("static");
  });
});
