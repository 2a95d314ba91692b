/** The observer client against real local endpoints: healthy, slow, dead, failing with 500. */
import { afterEach, describe, expect, test } from "bun:test";
import type { EventRecord } from "../../pipeline/run/events";
import { startObserver } from "../../pipeline/run/observer";

const servers: Array<{ stop: (force?: boolean) => void }> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
});

function serve(handler: (req: Request) => Response | Promise<Response>): { url: string; bodies: unknown[] } {
  const bodies: unknown[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      bodies.push(await req.json());
      return handler(req);
    },
  });
  servers.push(server);
  return { url: `http://127.0.0.1:${server.port}/event`, bodies };
}

function records(n: number): EventRecord[] {
  return Array.from({ length: n }, (_, i) => ({ seq: i + 1, at: "2026-01-01T00:00:00.000Z", iteration_id: 1, type: "warning", message: `event ${i + 1}` }));
}

describe("observer", () => {
  test("a healthy endpoint gets every record in order, as JSON POSTs", async () => {
    const ep = serve(() => new Response("ok"));
    const obs = startObserver({ url: ep.url, maxQueue: 100, timeoutMs: 2000 });
    for (const r of records(20)) obs.write(r);
    const stats = await obs.close();
    expect(stats).toMatchObject({ delivered: 20, dropped: 0, failed: 0, queue_full: 0, unsent: 0, first_error: null });
    expect(ep.bodies).toEqual(records(20));
  });

  test("an endpoint answering 500 drops each record as failed; the sweep's writes never throw", async () => {
    const ep = serve(() => new Response("boom", { status: 500 }));
    const obs = startObserver({ url: ep.url, maxQueue: 100, timeoutMs: 2000 });
    for (const r of records(5)) obs.write(r);
    const stats = await obs.close();
    expect(stats).toMatchObject({ delivered: 0, failed: 5, dropped: 5 });
    expect(stats.first_error).toContain("HTTP 500");
  });

  test("a dead endpoint: writes return at once, every record is counted as dropped", async () => {
    const ep = serve(() => new Response("ok"));
    servers.pop()!.stop(true);
    const obs = startObserver({ url: ep.url, maxQueue: 100, timeoutMs: 1000 });
    const t0 = performance.now();
    for (const r of records(50)) obs.write(r);
    expect(performance.now() - t0).toBeLessThan(50);
    const stats = await obs.close();
    expect(stats.delivered).toBe(0);
    expect(stats.dropped).toBe(50);
    expect(stats.failed + stats.unsent).toBe(50);
    expect(stats.first_error).not.toBeNull();
  });

  test("a slow endpoint never slows the writer: the queue is bounded, the rest is dropped, close waits at most the timeout", async () => {
    const ep = serve(async () => {
      await Bun.sleep(2000);
      return new Response("ok");
    });
    const obs = startObserver({ url: ep.url, maxQueue: 10, timeoutMs: 300 });
    const t0 = performance.now();
    for (const r of records(1000)) obs.write(r);
    expect(performance.now() - t0).toBeLessThan(100);
    const closing = performance.now();
    const stats = await obs.close();
    // One POST may be in flight and the drain gets one timeout: well under the endpoint's 2 s per answer.
    expect(performance.now() - closing).toBeLessThan(1000);
    expect(stats.delivered).toBe(0);
    expect(stats.queue_full).toBe(990);
    expect(stats.dropped).toBe(1000);
    expect(stats.dropped).toBe(stats.queue_full + stats.failed + stats.unsent);
  });

  test("records written after close are ignored, and close can be called twice", async () => {
    const ep = serve(() => new Response("ok"));
    const obs = startObserver({ url: ep.url, maxQueue: 10, timeoutMs: 1000 });
    obs.write(records(1)[0]!);
    const first = await obs.close();
    obs.write(records(2)[1]!);
    const second = await obs.close();
    expect(first).toMatchObject({ delivered: 1, dropped: 0 });
    expect(second).toEqual(first);
    expect(ep.bodies).toHaveLength(1);
  });
});
