/**
 * The fault matrix, over both protocols: whatever the first rung does — 500, 429 with Retry-After, connection
 * refused, a hang past the timeout, malformed JSON, a truncated stream, an empty body, a model it does not have —
 * every file ends reviewed (by the rung above) or unreviewed with its reasons, every call is an attempt row, and
 * nothing hangs or rejects unhandled.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { makeProject, rung } from "./harness";

const FILES = { "src/auth.rs": "examples/demo-repo/src/auth.rs", "src/report.py": "examples/demo-repo/src/report.py", "docs/GUIDE.md": "examples/demo-repo/docs/GUIDE.md" };
type Fault = "error500" | "ratelimit" | "refused" | "hang" | "malformed" | "truncated-stream" | "empty" | "missing-model";
const FAULTS: Fault[] = ["error500", "ratelimit", "refused", "hang", "malformed", "truncated-stream", "empty", "missing-model"];

let sim: SimServer;
let closedPort: string;
let unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => void unhandled.push(e);
beforeAll(async () => {
  const behaviours: Record<string, string> = { good: "good" };
  for (const f of FAULTS) if (f !== "refused" && f !== "missing-model") behaviours[f] = f;
  sim = await startSimServer({ behaviours: behaviours as Parameters<typeof startSimServer>[0]["behaviours"] });
  // A port that was just open and is now closed: connection refused.
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  closedPort = `http://127.0.0.1:${probe.port}`;
  probe.stop(true);
  process.on("unhandledRejection", onUnhandled);
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await sim.stop();
});

for (const protocol of ["ollama", "openai"] as const) {
  describe(`faults on the ${protocol} protocol`, () => {
    for (const fault of FAULTS) {
      test(`${fault}: every file reviewed by the next rung or unreviewed with reasons; every call recorded`, async () => {
        unhandled = [];
        const base = fault === "refused" ? closedPort : sim.url;
        const url = protocol === "ollama" ? base : `${base}/v1`;
        const model = fault === "refused" ? "good" : fault === "missing-model" ? "no-such-model" : fault;
        const routing = [rung("first", protocol, url, model, "retries = 1\ntimeout_s = 1"), rung("second", protocol, protocol === "ollama" ? sim.ollamaHost : sim.openaiBaseUrl, "good")].join("\n");
        const p = makeProject(FILES, routing);
        try {
          const before = sim.calls.length;
          const r = await p.scrum("run", ".", "--quiet", "--json");
          expect(r.code).toBe(0);
          const db = p.db();
          const reviews = db.prepare(`SELECT path, verdict, error FROM file_reviews`).all() as { path: string; verdict: string; error: string | null }[];
          const attempts = db.prepare(`SELECT rung, outcome, reason, server FROM attempts`).all() as { rung: string; outcome: string; reason: string | null; server: string | null }[];
          db.close();
          expect(reviews).toHaveLength(Object.keys(FILES).length);
          for (const f of reviews) {
            if (f.verdict === "unreviewed") expect(f.error).toBeTruthy();
            else expect(["pass", "needs_patch", "fail"]).toContain(f.verdict);
          }
          // The failing rung left a trace on every shard: at least one non-accepted attempt with a reason.
          const first = attempts.filter((a) => a.rung === "first");
          expect(first.length).toBeGreaterThan(0);
          expect(first.every((a) => a.outcome !== "accepted" && a.reason)).toBe(true);
          // Every request the server answered is an attempt row (a refused connection never reaches it).
          const served = sim.calls.length - before;
          const recorded = attempts.filter((a) => a.outcome !== "skipped" && a.outcome !== "cached" && !(fault === "refused" && a.rung === "first")).length;
          expect(recorded).toBe(served);
          expect(unhandled).toEqual([]);
        } finally {
          p.cleanup();
        }
      }, 30_000);
    }
  });
}
