/**
 * Hostile and recovering servers over both protocols: a server that answers 429 (Retry-After: 1) or 500 a few times
 * and then recovers gets every file reviewed when the rung's `retries` allow it, and a server that sends its headers
 * and then a body that stalls or never ends is cut at `timeout_s` (the timeout covers the whole response).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Behaviour, startSimServer, type SimServer } from "../../scripts/sim-server";
import { makeProject, rung } from "./harness";

/** Eight files, as the measurement from outside used. */
const FILES = {
  "src/auth.rs": "examples/demo-repo/src/auth.rs",
  "src/report.py": "examples/demo-repo/src/report.py",
  "src/ingest.ts": "examples/demo-repo/src/ingest.ts",
  "src/billing.ts": "examples/demo-repo/src/billing.ts",
  "config/app.toml": "examples/demo-repo/config/app.toml",
  "tests/test_report.py": "examples/demo-repo/tests/test_report.py",
  "cmd/server/main.go": "examples/demo-repo/cmd/server/main.go",
  "docs/GUIDE.md": "examples/demo-repo/docs/GUIDE.md",
};

type Verdicts = { path: string; verdict: string; error: string | null }[];

let sim: SimServer;
const scripts: Record<string, Behaviour[]> = {};
/** A fresh model name per test and protocol, so each gets its own script from the first call. */
function model(name: string, protocol: string, script: Behaviour[]): string {
  const m = `${name}-${protocol}`;
  scripts[m] = script;
  return m;
}
const twice429 = (p: string) => model("ratelimit2", p, ["ratelimit", "ratelimit", "good"]);
const thrice500 = (p: string) => model("error3", p, ["error500", "error500", "error500", "good"]);
const stalled = (p: string) => model("stall", p, ["stall-body"]);
const slow = (p: string) => model("slow", p, ["slow-body"]);

beforeAll(async () => {
  for (const p of ["ollama", "openai"]) {
    scripts[`good-${p}`] = ["good"];
    twice429(p);
    thrice500(p);
    stalled(p);
    slow(p);
  }
  sim = await startSimServer({ behaviours: scripts });
});
afterAll(() => sim.stop());

async function sweep(protocol: "ollama" | "openai", first: string, extra: string, fallback = false) {
  const url = protocol === "ollama" ? sim.ollamaHost : sim.openaiBaseUrl;
  const routing = [rung("first", protocol, url, first, extra), ...(fallback ? [rung("second", protocol, url, `good-${protocol}`)] : [])].join("\n");
  const p = makeProject(FILES, routing);
  try {
    const started = performance.now();
    const r = await p.scrum("run", ".", "--quiet", "--json");
    const seconds = (performance.now() - started) / 1000;
    const db = p.db();
    const reviews = db.prepare(`SELECT path, verdict, error FROM file_reviews ORDER BY path`).all() as Verdicts;
    const attempts = db.prepare(`SELECT rung, outcome, reason FROM attempts`).all() as { rung: string; outcome: string; reason: string | null }[];
    db.close();
    return { code: r.code, reviews, attempts, seconds, err: r.err };
  } finally {
    p.cleanup();
  }
}

for (const protocol of ["ollama", "openai"] as const) {
  describe(`a server that recovers, over ${protocol}`, () => {
    test("two 429s with Retry-After: 1, then answers: every file reviewed within retries = 3", async () => {
      const r = await sweep(protocol, twice429(protocol), "retries = 3\nconcurrency = 2");
      expect(r.code).toBe(0);
      expect(r.reviews).toHaveLength(8);
      expect(r.reviews.filter((f) => f.verdict === "unreviewed")).toEqual([]);
      // The two 429s are attempt rows; nothing was skipped for a breaker or a cooldown.
      expect(r.attempts.filter((a) => a.outcome === "error" && /429/.test(a.reason ?? ""))).toHaveLength(2);
      expect(r.attempts.filter((a) => a.outcome === "skipped")).toEqual([]);
    }, 30_000);

    test("three 500s, then answers: every file reviewed within retries = 3; the breaker never opens", async () => {
      const r = await sweep(protocol, thrice500(protocol), "retries = 3\nconcurrency = 2");
      expect(r.code).toBe(0);
      expect(r.reviews.filter((f) => f.verdict === "unreviewed")).toEqual([]);
      expect(r.attempts.filter((a) => a.outcome === "error" && /500/.test(a.reason ?? ""))).toHaveLength(3);
      expect(r.attempts.filter((a) => a.outcome === "skipped")).toEqual([]);
    }, 30_000);
  });

  describe(`a body that never completes, over ${protocol}`, () => {
    for (const [what, name] of [["stalls after its first bytes", stalled], ["trickles for ever", slow]] as const) {
      test(`headers, then a body that ${what}: each call is cut at timeout_s and the next rung reviews every file`, async () => {
        const r = await sweep(protocol, name(protocol), "timeout_s = 0.5\nconcurrency = 8", true);
        expect(r.code).toBe(0);
        expect(r.reviews.filter((f) => f.verdict === "unreviewed")).toEqual([]);
        const first = r.attempts.filter((a) => a.rung === "first");
        expect(first.length).toBeGreaterThan(0);
        expect(first.every((a) => a.outcome === "timeout")).toBe(true);
        // 8 files, concurrency 8, 0.5 s each: far below the 20 s the test allows, however the calls are spread.
        expect(r.seconds).toBeLessThan(15);
      }, 20_000);
    }
  });
}
