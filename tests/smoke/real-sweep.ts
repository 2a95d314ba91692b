/**
 * The sweep every real-server smoke test makes (tests/smoke/real-*.test.ts): the shipped defaults with one rung
 * pointing at the server, `config check`, then `scrum run` over three demo files, judged as a user would.
 */
import { expect } from "bun:test";
import { makeProject, type Project } from "../e2e/harness";

/** Three demo files: two with planted problems (a stub that raises, an unimplemented!()), one clean. */
export const DEMO = {
  "src/report.py": "examples/demo-repo/src/report.py",
  "src/auth.rs": "examples/demo-repo/src/auth.rs",
  "cmd/server/main.go": "examples/demo-repo/cmd/server/main.go",
};
/** The demo's own static config (examples/demo-repo/.scrum/routing.toml) raises the stub rules, so a stub is work to do. */
export const DEMO_STATIC = `[static]\nraise = ["stub-macro", "stub-raise", "stub-throw", "duplicate-import-redeclared"]\n`;
/** A call is one prompt evaluation (cached across calls) and up to 1,024 generated tokens at ~40 tokens/s. */
export const TIMEOUT_MS = 20 * 60_000;

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

/**
 * `config check` answers over the server with the shape and window expected of it; a sweep of the demo files: every
 * call answered over HTTP 200, the shape recorded per server, no junk accepted, and never fewer files needing work
 * than the static rung alone finds.
 */
export async function sweepTheDemo(routing: string, expected: { shape: string; window: number; windowFrom: string }, label: string): Promise<void> {
  const p = makeProject(DEMO, routing);
  try {
    const started = performance.now();
    const check = await p.scrum("config", "check", "--json");
    expect(check.code).toBe(0);
    const rung = (JSON.parse(check.out) as { rungs: { rung: string; round_trips: { answered: boolean; shape: string; window: number | null; windowFrom: string | null }[] }[] }).rungs[0]!;
    expect(rung.round_trips).toHaveLength(1);
    expect(rung.round_trips[0]).toMatchObject({ answered: true, ...expected });

    const run = await p.scrum("run", ".", "--json");
    const summary = JSON.parse(run.out) as { iteration_id: number; model_answers: { accepted: number; shards_sent: number; none_accepted: boolean } };
    const iteration = summary.iteration_id;
    // A 135M model often answers nothing worth accepting: the run then says so and exits 1, never reads as progress.
    expect(summary.model_answers.shards_sent).toBeGreaterThan(0);
    expect(run.code).toBe(summary.model_answers.none_accepted ? 1 : 0);
    expect(summary.model_answers.none_accepted).toBe(summary.model_answers.accepted === 0);
    if (summary.model_answers.none_accepted) expect(run.err).toMatch(/no model answer was accepted/);
    const db = p.db();
    const attempts = db.prepare(`SELECT path, rung, outcome, reason FROM attempts WHERE iteration_id = ?`).all(iteration) as Attempt[];
    const traits = db.prepare(`SELECT trait, value FROM server_traits ORDER BY id`).all() as { trait: string; value: string }[];
    const accepted = db.prepare(`SELECT f.title, f.evidence, r.verdict, r.alignment_score FROM findings f JOIN file_reviews r USING (iteration_id, path) WHERE f.iteration_id = ? AND f.rule IS NULL`).all(iteration) as { title: string; evidence: string }[];
    db.close();
    // Every call answered over HTTP 200: no attempt failed in transport, none timed out.
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.filter((a) => a.outcome === "error" || a.outcome === "timeout")).toEqual([]);
    // The shape is recorded per server.
    expect(traits).toContainEqual({ trait: "shape", value: expected.shape });
    // No junk accepted: no model finding stored with the prompt's placeholders or the template's words.
    for (const f of accepted) {
      expect(f.title.trim()).not.toMatch(/^(\.\.\.|…|exact quote|)$/i);
      expect(f.evidence.trim()).not.toMatch(/^(\.\.\.|…|exact quote)$/i);
    }
    const rejected = attempts.filter((a) => a.outcome === "invalid" && a.reason?.startsWith("junk answer"));
    console.info(`${label}: ${attempts.length} attempts (${attempts.filter((a) => a.outcome === "accepted").length} accepted, ${rejected.length} refused as junk) in ${Math.round((performance.now() - started) / 1000)} s`);

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
}
