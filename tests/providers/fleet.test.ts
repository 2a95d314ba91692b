/** The fleet: spreading calls over a rung's servers, setting failing ones aside, failing over within one call. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ProviderError } from "../../domain/errors";
import { type ServerClient, ServerCallError, ServersHeldError, makeFleet, parseRetryAfter } from "../../pipeline/providers/fleet";
import { makeProvider } from "../../pipeline/providers/make-provider";
import type { Completion, CompletionRequest } from "../../pipeline/providers/provider";
import { type SimServer, startSimServer } from "../../scripts/sim-server";
import { closedPort, failureOf, testRung } from "./fixtures";

const REQUEST: CompletionRequest = { system: "s", prompt: "p" };
const signal = () => new AbortController().signal;

type Outcome = "ok" | ProviderError | Promise<void>;

/** A ServerClient that plays a script of outcomes (the last repeats) and records its calls. */
function fakeServer(server: string, ...script: Outcome[]): ServerClient & { calls: number } {
  const fake = {
    server,
    calls: 0,
    async complete(): Promise<Completion> {
      const outcome = script[Math.min(fake.calls, script.length - 1)] ?? "ok";
      fake.calls++;
      if (outcome instanceof ProviderError) throw outcome;
      if (outcome instanceof Promise) await outcome;
      return { text: `from ${server}`, tokensIn: 1, tokensOut: 1, latencyMs: 0 };
    },
    async probe() {
      return { server, reachable: true, modelPresent: true, detail: "ok" };
    },
  };
  return fake;
}

const refused = (s: string) => new ProviderError("connection", `${s}: ECONNREFUSED`);

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe("spreading calls", () => {
  test("round-robin when no server is busier than another", async () => {
    const servers = ["a", "b", "c"].map((s) => fakeServer(s));
    const fleet = makeFleet("ollama", "m", servers);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) order.push((await fleet.complete(REQUEST, signal())).server ?? "");
    expect(order).toEqual(["a", "b", "c", "a", "b", "c"]);
  });

  test("least in-flight first: a busy server is skipped while another is idle", async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const a = fakeServer("a", slow);
    const b = fakeServer("b");
    const fleet = makeFleet("ollama", "m", [a, b]);
    const first = fleet.complete(REQUEST, signal());
    const second = await fleet.complete(REQUEST, signal());
    const third = await fleet.complete(REQUEST, signal());
    expect([second.server, third.server]).toEqual(["b", "b"]);
    release();
    expect((await first).server).toBe("a");
  });
});

const avoid = (...servers: string[]) => ({ avoid: new Set(servers) });

describe("failing servers", () => {
  test("one call is one server: a failure is thrown naming the server, never moved on inside the call", async () => {
    const a = fakeServer("a", refused("a"), "ok");
    const b = fakeServer("b");
    const fleet = makeFleet("ollama", "m", [a, b]);
    const e = await failureOf(fleet.complete(REQUEST, signal()));
    expect(e).toBeInstanceOf(ServerCallError);
    expect((e as ServerCallError).server).toBe("a");
    expect([a.calls, b.calls]).toEqual([1, 0]);
    // The ladder's retry names the server that failed: the fleet sends it elsewhere.
    expect((await fleet.complete(REQUEST, signal(), avoid("a"))).server).toBe("b");
  });

  test("a retry waits for a busy untried server instead of going back to the server that failed it", async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const a = fakeServer("a", refused("a"), "ok");
    const b = fakeServer("b", slow, "ok");
    const fleet = makeFleet("ollama", "m", [a, b], { perServer: 1 });
    const busy = fleet.complete(REQUEST, signal(), avoid("a"));
    const retry = fleet.complete(REQUEST, signal(), avoid("a"));
    await Bun.sleep(5);
    expect([a.calls, b.calls]).toEqual([0, 1]);
    release();
    expect((await busy).server).toBe("b");
    expect((await retry).server).toBe("b");
    expect(a.calls).toBe(0);
  });

  test("a one-server rung takes the retry on its only server even when told to avoid it", async () => {
    const only = fakeServer("only", refused("only"), "ok");
    const fleet = makeFleet("ollama", "m", [only]);
    await failureOf(fleet.complete(REQUEST, signal()));
    expect((await fleet.complete(REQUEST, signal(), avoid("only"))).server).toBe("only");
  });

  test("a server failing three times in a row is opened for the hold, then takes one half-open probe", async () => {
    const c = clock();
    const a = fakeServer("a", refused("a"), refused("a"), refused("a"), "ok");
    const b = fakeServer("b");
    const fleet = makeFleet("ollama", "m", [a, b], { now: c.now, coolDownMs: 30_000 });
    for (let i = 0; i < 3; i++) await failureOf(fleet.complete(REQUEST, signal(), avoid("b")));
    expect(a.calls).toBe(3);
    for (let i = 0; i < 4; i++) expect((await fleet.complete(REQUEST, signal())).server).toBe("b");
    c.advance(29_999);
    await fleet.complete(REQUEST, signal(), avoid("b"));
    expect(a.calls).toBe(3);
    c.advance(2);
    expect((await fleet.complete(REQUEST, signal(), avoid("b"))).server).toBe("a");
    expect(a.calls).toBe(4);
  });

  test("a failed half-open probe opens the breaker for twice the hold", async () => {
    const c = clock();
    const a = fakeServer("a", refused("a"));
    const fleet = makeFleet("ollama", "m", [a, fakeServer("b")], { now: c.now, coolDownMs: 1000 });
    for (let i = 0; i < 3; i++) await failureOf(fleet.complete(REQUEST, signal(), avoid("b")));
    c.advance(1001);
    await failureOf(fleet.complete(REQUEST, signal(), avoid("b")));
    expect(a.calls).toBe(4);
    c.advance(1999);
    await fleet.complete(REQUEST, signal(), avoid("b"));
    expect(a.calls).toBe(4);
    c.advance(2);
    await failureOf(fleet.complete(REQUEST, signal(), avoid("b")));
    expect(a.calls).toBe(5);
  });

  test("a 429 pauses its server for the Retry-After without counting as a fault: the next call waits it out", async () => {
    const c = clock();
    const waited: number[] = [];
    const sleep = async (ms: number) => {
      waited.push(ms);
      c.advance(ms);
    };
    const limited = new ProviderError("http", "429", { status: 429, retryAfterMs: 1000 });
    const a = fakeServer("a", limited, limited, limited, limited, "ok");
    const fleet = makeFleet("openai", "m", [a], { now: c.now, sleep });
    for (let i = 0; i < 4; i++) expect(((await failureOf(fleet.complete(REQUEST, signal()))) as ServerCallError).error).toBe(limited);
    // Four 429s are no fault: the breaker never opened, each pause was waited out, and the fifth call is answered.
    expect(waited).toEqual([1000, 1000, 1000]);
    expect((await fleet.complete(REQUEST, signal())).server).toBe("a");
    expect(a.calls).toBe(5);
  });

  test("a Retry-After longer than the cap pauses the server for the cap only", async () => {
    const c = clock();
    const waited: number[] = [];
    const a = fakeServer("a", new ProviderError("http", "429", { status: 429, retryAfterMs: 3_600_000 }), "ok");
    const fleet = makeFleet("openai", "m", [a], { now: c.now, sleep: async (ms) => void (waited.push(ms), c.advance(ms)), maxPauseMs: 5000 });
    await failureOf(fleet.complete(REQUEST, signal()));
    await fleet.complete(REQUEST, signal());
    expect(waited).toEqual([5000]);
  });

  test("a paused server is waited for only while the caller lets it: an abort ends the wait", async () => {
    const a = fakeServer("a", new ProviderError("http", "429", { status: 429, retryAfterMs: 60_000 }), "ok");
    const fleet = makeFleet("openai", "m", [a]);
    await failureOf(fleet.complete(REQUEST, signal()));
    const caller = new AbortController();
    const reason = new Error("Ctrl-C");
    setTimeout(() => caller.abort(reason), 20);
    expect(await fleet.complete(REQUEST, caller.signal).catch((e: unknown) => e)).toBe(reason);
    expect(a.calls).toBe(1);
  });

  test("with deferFaults a one-server rung's failures count only when the request settles unanswered", async () => {
    const c = clock();
    const a = fakeServer("a", refused("a"));
    const fleet = makeFleet("ollama", "m", [a], { now: c.now });
    // Six failed calls of two requests that were answered in the end: no fault, the server still takes calls.
    for (let i = 0; i < 6; i++) await failureOf(fleet.complete(REQUEST, signal(), { deferFaults: true }));
    fleet.settled!({ failedOn: new Set(["a"]), answeredBy: "a" });
    expect((await failureOf(fleet.complete(REQUEST, signal(), { deferFaults: true }))).constructor.name).toBe("ServerCallError");
    // Three requests that gave up open the breaker.
    for (let i = 0; i < 3; i++) fleet.settled!({ failedOn: new Set(["a"]), answeredBy: null });
    const held = await failureOf(fleet.complete(REQUEST, signal(), { deferFaults: true }));
    expect(held).toBeInstanceOf(ServersHeldError);
    expect(held.message).toMatch(/^every server is held/);
  });

  test("a 4xx other than 429, or an invalid answer, does not count against the server", async () => {
    for (const error of [new ProviderError("http", "400 bad request", { status: 400 }), new ProviderError("invalid", "no content")]) {
      const a = fakeServer("a", error, error, error, "ok");
      const fleet = makeFleet("ollama", "m", [a]);
      for (let i = 0; i < 3; i++) expect(((await failureOf(fleet.complete(REQUEST, signal()))) as ServerCallError).error).toBe(error);
      expect((await fleet.complete(REQUEST, signal())).server).toBe("a");
    }
  });

  test("the caller's abort is not a server failure: the reason passes through", async () => {
    const caller = new AbortController();
    const reason = new Error("Ctrl-C");
    const a: ServerClient = {
      server: "a",
      complete: async () => {
        caller.abort(reason);
        throw reason;
      },
      probe: async () => ({ server: "a", reachable: true, modelPresent: true, detail: "" }),
    };
    const b = fakeServer("b");
    const outcome = await makeFleet("ollama", "m", [a, b]).complete(REQUEST, caller.signal).catch((e: unknown) => e);
    expect(outcome).toBe(reason);
    expect(b.calls).toBe(0);
  });

  test("probe asks every server", async () => {
    const results = await makeFleet("ollama", "m", [fakeServer("a"), fakeServer("b")]).probe(signal());
    expect(results.map((r) => r.server)).toEqual(["a", "b"]);
  });
});

describe("per-server concurrency", () => {
  test("4 servers × 2: eight calls run at once, two on each; the ninth waits for a free slot", async () => {
    const gates: Array<() => void> = [];
    const gate = () => new Promise<void>((r) => gates.push(r));
    const servers = ["a", "b", "c", "d"].map((name) => {
      const s = { ...fakeServer(name), inFlight: 0, peak: 0 };
      s.complete = async () => {
        s.inFlight++;
        s.peak = Math.max(s.peak, s.inFlight);
        await gate();
        s.inFlight--;
        return { text: name, tokensIn: 1, tokensOut: 1, latencyMs: 0 };
      };
      return s;
    });
    const fleet = makeFleet("ollama", "m", servers, { perServer: 2 });
    const calls = Array.from({ length: 9 }, () => fleet.complete(REQUEST, signal()));
    await Bun.sleep(0);
    expect(gates).toHaveLength(8);
    expect(servers.map((s) => s.inFlight)).toEqual([2, 2, 2, 2]);
    gates.shift()!();
    await Bun.sleep(0);
    await Bun.sleep(0);
    expect(gates).toHaveLength(8);
    while (gates.length > 0) gates.shift()!();
    await Bun.sleep(0);
    while (gates.length > 0) gates.shift()!();
    await Promise.all(calls);
    expect(servers.map((s) => s.peak)).toEqual([2, 2, 2, 2]);
  });

  test("an open server's slots are not used: its share waits for the healthy servers", async () => {
    const c = clock();
    const a = fakeServer("a", refused("a"));
    const b = fakeServer("b");
    const fleet = makeFleet("ollama", "m", [a, b], { now: c.now, perServer: 1 });
    for (let i = 0; i < 3; i++) await failureOf(fleet.complete(REQUEST, signal(), avoid("b")));
    const done = await Promise.all([fleet.complete(REQUEST, signal()), fleet.complete(REQUEST, signal())]);
    expect(done.map((d) => d.server)).toEqual(["b", "b"]);
    expect(a.calls).toBe(3);
  });
});

describe("Retry-After", () => {
  test.each([
    ["seconds", { "retry-after": "1" }, 1000],
    ["fractional seconds", { "retry-after": "2.5" }, 2500],
    ["retry-after-ms wins", { "retry-after-ms": "750", "retry-after": "9" }, 750],
    ["an HTTP date", { "retry-after": new Date(1_700_000_030_000).toUTCString() }, 30_000],
    ["unreadable", { "retry-after": "soon" }, undefined],
    ["absent", {}, undefined],
  ])("%s", (_, headers, ms) => {
    expect(parseRetryAfter(new Headers(headers as Record<string, string>), 1_700_000_000_000)).toBe(ms);
  });
});

describe("over real HTTP", () => {
  let live: SimServer;
  let second: SimServer;
  beforeAll(async () => {
    live = await startSimServer({ behaviours: { m: "thin" } });
    second = await startSimServer({ behaviours: { m: "thin" }, latencyMs: 80 });
  });
  afterAll(async () => {
    await Promise.all([live.stop(), second.stop()]);
  });

  test.each(["ollama", "openai"] as const)("%s: one dead server + one live → the dead one fails once per call until its breaker opens", async (kind) => {
    const dead = await closedPort();
    const liveUrl = kind === "ollama" ? live.ollamaHost : live.openaiBaseUrl;
    const deadUrl = kind === "ollama" ? dead : `${dead}/v1`;
    const c = clock();
    const attempts = new Map<string, number>();
    const counting = (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      const server = url.startsWith(deadUrl) ? "dead" : "live";
      attempts.set(server, (attempts.get(server) ?? 0) + 1);
      return fetch(input, init);
    };
    const before = live.calls.length;
    const provider = makeProvider(testRung(kind, [deadUrl, liveUrl], { model: "m" }), { fetch: counting, now: c.now });
    let failed = 0;
    for (let i = 0; i < 8; i++) {
      const r = await provider.complete(REQUEST, signal()).catch((e: unknown) => e);
      if (r instanceof ServerCallError) {
        failed++;
        expect(r.server).toBe(deadUrl);
        expect(r.kind).toBe("connection");
      } else expect((r as Completion).server).toBe(liveUrl);
    }
    // Three refusals open the dead server's breaker; every later call goes to the live one.
    expect(failed).toBe(3);
    expect(attempts.get("dead")).toBe(3);
    expect(live.calls.length - before).toBe(5);
  });

  test("least in-flight over real HTTP: while the slow server works, the idle one takes the calls", async () => {
    const a = live.calls.length;
    const b = second.calls.length;
    const provider = makeProvider(testRung("ollama", [second.ollamaHost, live.ollamaHost], { model: "m" }));
    const slow = provider.complete(REQUEST, signal());
    for (let i = 0; i < 3; i++) expect((await provider.complete(REQUEST, signal())).server).toBe(live.ollamaHost);
    expect((await slow).server).toBe(second.ollamaHost);
    expect([second.calls.length - b, live.calls.length - a]).toEqual([1, 3]);
  });
});
