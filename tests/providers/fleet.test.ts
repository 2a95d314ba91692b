/** The fleet: spreading calls over a rung's servers, setting failing ones aside, failing over within one call. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ProviderError } from "../../pipeline/errors";
import { type ServerClient, makeFleet, parseRetryAfter } from "../../pipeline/providers/fleet";
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

describe("failing servers", () => {
  test("a dead server is set aside for the cool-down; the same call moves on at once", async () => {
    const c = clock();
    const a = fakeServer("a", refused("a"), "ok");
    const b = fakeServer("b");
    const fleet = makeFleet("ollama", "m", [a, b], { now: c.now, coolDownMs: 30_000 });
    expect((await fleet.complete(REQUEST, signal())).server).toBe("b");
    for (let i = 0; i < 3; i++) expect((await fleet.complete(REQUEST, signal())).server).toBe("b");
    expect(a.calls).toBe(1);
    c.advance(29_999);
    await fleet.complete(REQUEST, signal());
    expect(a.calls).toBe(1);
    c.advance(2);
    const servers = [(await fleet.complete(REQUEST, signal())).server, (await fleet.complete(REQUEST, signal())).server];
    expect(servers.sort()).toEqual(["a", "b"]);
    expect(a.calls).toBe(2);
  });

  test("a 429 sets the server aside for its Retry-After, a 5xx for the cool-down", async () => {
    const c = clock();
    const a = fakeServer("a", new ProviderError("http", "429", { status: 429, retryAfterMs: 1000 }), "ok");
    const b = fakeServer("b", new ProviderError("http", "503", { status: 503 }), "ok");
    const fleet = makeFleet("openai", "m", [a, b], { now: c.now, coolDownMs: 30_000 });
    // a: 429 → b: 503 → every server failed for this call.
    const e = await failureOf(fleet.complete(REQUEST, signal()));
    expect(e.status).toBe(503);
    c.advance(1001);
    expect((await fleet.complete(REQUEST, signal())).server).toBe("a");
    expect((await fleet.complete(REQUEST, signal())).server).toBe("a");
    expect(b.calls).toBe(1);
  });

  test("a 4xx other than 429, or an invalid answer, is thrown at once: not the server's fault", async () => {
    for (const error of [new ProviderError("http", "400 bad request", { status: 400 }), new ProviderError("invalid", "no content")]) {
      const a = fakeServer("a", error);
      const b = fakeServer("b");
      const e = await failureOf(makeFleet("ollama", "m", [a, b]).complete(REQUEST, signal()));
      expect(e).toBe(error);
      expect(b.calls).toBe(0);
    }
  });

  test("when every server fails, the error names them all and keeps the last one's kind and status", async () => {
    const a = fakeServer("http://a:11434", refused("a"));
    const b = fakeServer("http://b:11434", new ProviderError("http", "b: HTTP 500: boom", { status: 500 }));
    const e = await failureOf(makeFleet("ollama", "m", [a, b]).complete(REQUEST, signal()));
    expect([e.kind, e.status]).toEqual(["http", 500]);
    expect(e.message).toContain("http://a:11434");
    expect(e.message).toContain("http://b:11434");
    expect(e.message).toContain("HTTP 500: boom");
  });

  test("the caller's abort is not a server failure: no failover, the reason passes through", async () => {
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

  test("a server set aside by an earlier call is not retried when the other one fails now", async () => {
    const c = clock();
    const a = fakeServer("a", refused("a"), "ok");
    const b = fakeServer("b", "ok", new ProviderError("http", "b: HTTP 502", { status: 502 }));
    const fleet = makeFleet("ollama", "m", [a, b], { now: c.now });
    await fleet.complete(REQUEST, signal());
    const e = await failureOf(fleet.complete(REQUEST, signal()));
    expect(e.status).toBe(502);
    expect(e.message).toContain("set aside after earlier failures: a");
    expect(a.calls).toBe(1);
  });

  test("a one-server rung keeps trying its server (the ladder's retries must reach it)", async () => {
    const c = clock();
    const only = fakeServer("only", refused("only"), "ok");
    const fleet = makeFleet("ollama", "m", [only], { now: c.now });
    const e = await failureOf(fleet.complete(REQUEST, signal()));
    expect(e.message).toBe("only: ECONNREFUSED");
    expect((await fleet.complete(REQUEST, signal())).server).toBe("only");
  });

  test("when all servers are set aside, a call still goes to the one back soonest", async () => {
    const c = clock();
    const a = fakeServer("a", new ProviderError("http", "429", { status: 429, retryAfterMs: 5000 }), "ok");
    const b = fakeServer("b", new ProviderError("http", "429", { status: 429, retryAfterMs: 2000 }), "ok");
    const fleet = makeFleet("ollama", "m", [a, b], { now: c.now });
    await failureOf(fleet.complete(REQUEST, signal()));
    expect((await fleet.complete(REQUEST, signal())).server).toBe("b");
  });

  test("probe asks every server", async () => {
    const results = await makeFleet("ollama", "m", [fakeServer("a"), fakeServer("b")]).probe(signal());
    expect(results.map((r) => r.server)).toEqual(["a", "b"]);
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

  test.each(["ollama", "openai"] as const)("%s: one dead server + one live → every call succeeds, the dead one is set aside", async (kind) => {
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
    for (let i = 0; i < 4; i++) expect((await provider.complete(REQUEST, signal())).server).toBe(liveUrl);
    expect(live.calls.length - before).toBe(4);
    expect(attempts.get("dead")).toBe(1);
    c.advance(30_001);
    expect((await provider.complete(REQUEST, signal())).server).toBe(liveUrl);
    expect(attempts.get("dead")).toBe(2);
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
