/** The shard scheduler's admission: memory bound, demand from the rungs, order, and stopping on the first error. */
import { describe, expect, test } from "bun:test";
import { filePriority, scheduleFiles } from "../../pipeline/run/schedule";

/** A file whose review ends when the test says so. */
function controllable() {
  const started: string[] = [];
  const finish = new Map<string, (error?: Error) => void>();
  const run = (name: string) =>
    new Promise<void>((resolve, reject) => {
      started.push(name);
      finish.set(name, (error) => (error ? reject(error) : resolve()));
    });
  return { started, finish, run };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe("scheduleFiles", () => {
  test("files are admitted while their text fits the bound; one finishing lets the next in, a slow one blocks nobody", async () => {
    const c = controllable();
    const sizes: Record<string, number> = { a: 400, b: 400, c: 400, d: 100 };
    const done = scheduleFiles(["a", "b", "c", "d"], { maxInflightChars: 1000, sizeOf: (f) => sizes[f]!, run: c.run, signal: new AbortController().signal });
    await tick();
    await tick();
    expect(c.started).toEqual(["a", "b"]);
    // b finishes first (a is the slow file): c and d go in while a still runs.
    c.finish.get("b")!();
    await tick();
    await tick();
    await tick();
    expect(c.started).toEqual(["a", "b", "c", "d"]);
    c.finish.get("c")!();
    c.finish.get("d")!();
    c.finish.get("a")!();
    expect(await done).toEqual({ admitted: 4, errors: [] });
  });

  test("a file larger than the whole bound still runs, alone", async () => {
    const c = controllable();
    const done = scheduleFiles(["huge", "small"], { maxInflightChars: 10, sizeOf: (f) => (f === "huge" ? 1000 : 1), run: c.run, signal: new AbortController().signal });
    await tick();
    await tick();
    expect(c.started).toEqual(["huge"]);
    c.finish.get("huge")!();
    await tick();
    await tick();
    expect(c.started).toEqual(["huge", "small"]);
    c.finish.get("small")!();
    await done;
  });

  test("while the rungs want no more work, nothing new is admitted; a wake-up re-checks", async () => {
    const c = controllable();
    let hungry = false;
    let wake = () => {};
    const done = scheduleFiles(["a", "b", "c"], {
      maxInflightChars: 1e9,
      sizeOf: () => 1,
      wantsWork: () => hungry,
      subscribe: (w) => ((wake = w), () => {}),
      run: c.run,
      signal: new AbortController().signal,
    });
    await tick();
    await tick();
    // The first file always goes in: with nothing in flight, nothing would ever wake the scheduler.
    expect(c.started).toEqual(["a"]);
    hungry = true;
    wake();
    await tick();
    await tick();
    await tick();
    expect(c.started).toEqual(["a", "b", "c"]);
    for (const f of c.started) c.finish.get(f)!();
    await done;
  });

  test("the first failure stops admission; files in flight still settle; the error is returned", async () => {
    const c = controllable();
    const boom = new Error("KB gone");
    const done = scheduleFiles(["a", "b", "c"], { maxInflightChars: 2, sizeOf: () => 1, run: c.run, signal: new AbortController().signal });
    await tick();
    await tick();
    c.finish.get("a")!(boom);
    await tick();
    c.finish.get("b")!();
    const result = await done;
    expect(c.started).toEqual(["a", "b"]);
    expect(result.errors).toEqual([boom]);
  });

  test("an aborted signal admits nothing more", async () => {
    const c = controllable();
    const stop = new AbortController();
    const done = scheduleFiles(["a", "b", "c"], { maxInflightChars: 1, sizeOf: () => 1, run: c.run, signal: stop.signal });
    await tick();
    stop.abort(new Error("Ctrl-C"));
    c.finish.get("a")!();
    const result = await done;
    expect(c.started).toEqual(["a"]);
    expect(result.admitted).toBe(1);
  });

  test("older files get higher queue priority", () => {
    expect([0, 1, 2].map(filePriority)).toEqual([-0, -1, -2]);
    expect(filePriority(0)).toBeGreaterThan(filePriority(5));
  });

  test("a bound below 1 is refused with the expected range", async () => {
    await expect(scheduleFiles([], { maxInflightChars: 0, sizeOf: () => 1, run: async () => {}, signal: new AbortController().signal })).rejects.toThrow(/Expected `maxInflightChars` to be a number from 1 up, got 0/);
  });
});
