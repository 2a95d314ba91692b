/**
 * Budgets hold (issue 18): before a model call is sent its estimated cost and tokens are held against what is left,
 * calls in flight included; a call that does not fit is not sent. The repro: `max_cost_usd = 0.01` with priced rungs
 * and five calls in flight at once spent $18.98. bin/scrum against the simulated server, both protocols, concurrency 5.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { makeProject, rung, spawnScrum, type Project } from "./harness";

const FILES = {
  "src/auth.rs": "examples/demo-repo/src/auth.rs",
  "src/billing.ts": "examples/demo-repo/src/billing.ts",
  "src/ingest.ts": "examples/demo-repo/src/ingest.ts",
  "src/report.py": "examples/demo-repo/src/report.py",
  "src/more.ts": "examples/demo-repo/src/billing.ts",
};
/** Dear enough that one call costs dollars: a shard's prompt is a few thousand tokens. */
const PRICES = "cost_in_per_mtok = 1000.0\ncost_out_per_mtok = 1000.0\nmax_output_tokens = 800\nconcurrency = 5";

let sim: SimServer;
const projects: Project[] = [];
beforeAll(async () => {
  // Every answer takes a while, so five calls really are in flight together.
  sim = await startSimServer({ behaviours: { reviewer: "good" }, latencyMs: 300 });
});
afterAll(async () => {
  for (const p of projects) p.cleanup();
  await sim.stop();
});

function project(protocol: "ollama" | "openai", budget: string): Project {
  const url = protocol === "ollama" ? sim.ollamaHost : sim.openaiBaseUrl;
  const p = makeProject(FILES, `${rung("dear", protocol, url, "reviewer", PRICES)}\n[budget]\n${budget}\n`);
  projects.push(p);
  return p;
}

interface Summary {
  files: { total: number; unreviewed: number };
  metrics: { cost_usd: number; tokens_in: number; tokens_out: number };
  budget_exhausted: string | null;
}

/** A run the budget held back: it finishes (exit 1, the budget said on stderr) with the summary on stdout. */
async function run(p: Project): Promise<Summary> {
  const r = await spawnScrum(p.dir, ["run", "src", "--json"]);
  if (r.code !== 1 || !/the \[budget\] ran out/.test(r.err)) throw new Error(`scrum run exited ${r.code}: ${r.err}`);
  return JSON.parse(r.out) as Summary;
}

function budgetReasons(p: Project): string[] {
  const db = p.db();
  try {
    return (db.query(`SELECT error FROM file_reviews WHERE verdict = 'unreviewed'`).all() as { error: string }[]).map((r) => r.error);
  } finally {
    db.close();
  }
}

for (const protocol of ["ollama", "openai"] as const) {
  describe(`[budget] over the ${protocol} protocol, five calls at once`, () => {
    test("max_cost_usd = 0.01 with calls of dollars each: nothing is sent, every file is unreviewed with reason budget", async () => {
      const p = project(protocol, "max_cost_usd = 0.01");
      const before = sim.calls.length;
      const summary = await run(p);
      expect(sim.calls.length).toBe(before);
      expect(summary.metrics.cost_usd).toBe(0);
      expect(summary.files.unreviewed).toBe(summary.files.total);
      expect(summary.budget_exhausted).toMatch(/max_cost_usd 0\.01: the call's estimated \$\d+\.\d+ does not fit/);
      expect(budgetReasons(p).every((e) => /budget: max_cost_usd/.test(e))).toBe(true);
    });

    test("a cap that holds about two calls: some files are reviewed, the spend stays under the cap, the rest is unreviewed", async () => {
      const p = project(protocol, "max_cost_usd = 9.0");
      const summary = await run(p);
      expect(summary.metrics.cost_usd).toBeGreaterThan(0);
      // The estimate counts a prompt high (3 characters a token against the server's 4), so no call passes the cap.
      expect(summary.metrics.cost_usd).toBeLessThanOrEqual(9.0);
      expect(summary.files.unreviewed).toBeGreaterThan(0);
      expect(summary.files.unreviewed).toBeLessThan(summary.files.total);
      expect(summary.budget_exhausted).toMatch(/max_cost_usd 9: /);
    });

    test("max_tokens holds the same way", async () => {
      const p = project(protocol, "max_tokens = 9000");
      const summary = await run(p);
      expect(summary.metrics.tokens_in + summary.metrics.tokens_out).toBeGreaterThan(0);
      expect(summary.metrics.tokens_in + summary.metrics.tokens_out).toBeLessThanOrEqual(9000);
      expect(summary.files.unreviewed).toBeGreaterThan(0);
      expect(budgetReasons(p).some((e) => /budget: max_tokens 9000/.test(e))).toBe(true);
    });
  });
}
