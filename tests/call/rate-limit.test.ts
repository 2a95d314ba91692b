/** Sliding-window rate limits: no 60 s span holds more than the limit, requests or tokens. */
import { describe, expect, test } from "bun:test";
import { SlidingWindow, WINDOW_MS } from "../../pipeline/call/rate-limit";

/** A fake clock whose sleep advances time instead of waiting. */
function fakeTime() {
  let t = 0;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
    advance: (ms: number) => void (t += ms),
    slept,
  };
}

const signal = new AbortController().signal;

describe("SlidingWindow", () => {
  test("requests_per_minute: no burst of twice the limit across a window edge", async () => {
    const time = fakeTime();
    const w = new SlidingWindow({ requestsPerMinute: 10 }, time);
    const at: number[] = [];
    // 10 calls just before a minute boundary, 10 more right after: a fixed window lets all 20 through in 2 s.
    time.advance(59_000);
    for (let i = 0; i < 20; i++) {
      await w.admit(0, signal);
      at.push(time.now());
    }
    for (let i = 0; i + 10 < at.length; i++) expect(at[i + 10]! - at[i]!).toBeGreaterThanOrEqual(WINDOW_MS);
    expect(at.slice(10)).toEqual(Array(10).fill(59_000 + WINDOW_MS));
  });

  test("tokens_per_minute: a call waits until enough older tokens leave the window; settle corrects the estimate", async () => {
    const time = fakeTime();
    const w = new SlidingWindow({ tokensPerMinute: 1000 }, time);
    const first = await w.admit(600, signal);
    time.advance(10_000);
    await w.admit(300, signal);
    // The first call really used 200 tokens: 500 are counted now, so a 500-token call fits without waiting.
    first.settle(200);
    await w.admit(500, signal);
    expect(time.slept).toEqual([]);
    // 1000 counted: the next call waits for the first call (t=0) to leave the window.
    await w.admit(100, signal);
    expect(time.now()).toBe(WINDOW_MS);
  });

  test("a window without limits never waits", async () => {
    const time = fakeTime();
    const w = new SlidingWindow({}, time);
    for (let i = 0; i < 1000; i++) await w.admit(1e6, signal);
    expect([w.limited, time.slept.length]).toEqual([false, 0]);
  });

  test("bad limits are refused", () => {
    expect(() => new SlidingWindow({ requestsPerMinute: 0 }, fakeTime())).toThrow(/Expected `requestsPerMinute` to be a whole number from 1 up, got 0/);
  });
});
