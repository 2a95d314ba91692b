import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { makeProject, rung } from "./harness";

let sim: SimServer;
beforeAll(async () => {
  sim = await startSimServer({
    behaviours: {
      reviewer: "good",
      "reducer-good": "reduce-good",
      "reducer-drops": "reduce-drop-shard",
      "reducer-invents": "reduce-invent",
      inventor: "invent-evidence",
      relative: "shard-relative",
    },
  });
});
afterAll(() => sim.stop());

const BIG = { "src/pipeline.ts": "examples/demo-repo/src/pipeline.ts" };
const STUB_LINE = 231; // examples/demo-repo/EXPECTED.md: the only planted problem, in the last function

function reviewers(reduceModel?: string): string {
  const parts = [rung("reviewer", "ollama", sim.ollamaHost, "reviewer")];
  if (reduceModel) parts.push(rung("reducer", "openai", sim.openaiBaseUrl, reduceModel), `[reduce]\nrung = "reducer"\n`);
  return parts.join("\n");
}

describe("the file verdict sees every shard", () => {
  test("a defect only in the last function of a large file reaches the file verdict at its line; coverage lists all shards", async () => {
    const p = makeProject(BIG, reviewers());
    try {
      expect((await p.scrum("run", "src", "--quiet")).code).toBe(0);
      const db = p.db();
      const row = db.prepare(`SELECT verdict, shards, coverage_complete, review_json, reduced_by FROM file_reviews`).get() as { verdict: string; shards: number; coverage_complete: number; review_json: string; reduced_by: string };
      const findings = db.prepare(`SELECT line_start, evidence, evidence_verified, shard_index FROM findings WHERE category = 'pseudocode_flags'`).all() as Array<{ line_start: number; evidence: string; evidence_verified: number; shard_index: number }>;
      db.close();
      expect(row.shards).toBeGreaterThan(1);
      expect(row.verdict).toBe("needs_patch");
      expect(row.coverage_complete).toBe(1);
      const verdict = JSON.parse(row.review_json);
      expect(verdict.coverage).toEqual([...Array(row.shards).keys()]);
      expect(verdict.shard_reviews.every((s: { status: string; rung: string }) => s.status === "reviewed" && s.rung === "reviewer")).toBe(true);
      expect(findings).toEqual([{ line_start: STUB_LINE, evidence: 'throw new Error("not implemented");', evidence_verified: 1, shard_index: row.shards - 1 }]);
      expect(row.reduced_by).toBe("merge");
    } finally {
      p.cleanup();
    }
  });

  test("an LLM reducer that cites every shard writes the file verdict (reduced_by = its model)", async () => {
    const p = makeProject(BIG, reviewers("reducer-good"));
    try {
      expect((await p.scrum("run", "src", "--quiet")).code).toBe(0);
      const db = p.db();
      const row = db.prepare(`SELECT reduced_by, findings_count FROM file_reviews`).get() as { reduced_by: string; findings_count: number };
      const reduce = db.prepare(`SELECT outcome, shard_index FROM attempts WHERE purpose = 'reduce'`).all();
      db.close();
      expect(row.reduced_by).toBe("reducer-good");
      expect(row.findings_count).toBe(1);
      expect(reduce).toEqual([{ outcome: "accepted", shard_index: -1 }]);
      const reducePrompt = sim.calls.filter((c) => c.model === "reducer-good").at(-1)!.user;
      expect(reducePrompt).not.toContain("exportToWarehouse(lines"); // the reducer sees verdicts, not code
      const payload = JSON.parse(reducePrompt.slice(reducePrompt.indexOf("```json") + 7, reducePrompt.lastIndexOf("```")));
      expect(payload.shards.map((s: { index: number }) => s.index)).toEqual([...Array(payload.shards.length).keys()]);
      for (const s of payload.shards) expect(s.verdict.summary.length).toBeGreaterThan(20);
    } finally {
      p.cleanup();
    }
  });

  for (const [model, reason] of [
    ["reducer-drops", /omits shard/],
    ["reducer-invents", /cites finding.* no shard produced/],
  ] as const) {
    test(`a reducer answer that ${model === "reducer-drops" ? "drops a shard" : "invents a finding"} is rejected and the merge stands`, async () => {
      const p = makeProject(BIG, reviewers(model));
      try {
        expect((await p.scrum("run", "src", "--quiet")).code).toBe(0);
        const db = p.db();
        const row = db.prepare(`SELECT reduced_by, verdict, review_json FROM file_reviews`).get() as { reduced_by: string; verdict: string; review_json: string };
        const attempt = db.prepare(`SELECT outcome, reason FROM attempts WHERE purpose = 'reduce'`).get() as { outcome: string; reason: string };
        db.close();
        expect(row.reduced_by).toBe("merge");
        expect(row.verdict).toBe("needs_patch");
        expect(JSON.parse(row.review_json).summary).toMatch(/Merged from all \d+ shards/);
        expect(attempt.outcome).toBe("invalid");
        expect(attempt.reason).toMatch(reason);
      } finally {
        p.cleanup();
      }
    });
  }
});

describe("every finding is checked against the code", () => {
  test("a model that invents evidence gets evidence_verified = 0, counted in evidence_unverified", async () => {
    const p = makeProject({ "src/ledger.rs": "tests/fixtures/sim/ledger.rs" }, rung("inventor", "ollama", sim.ollamaHost, "inventor"));
    try {
      expect((await p.scrum("run", "src", "--quiet")).code).toBe(0);
      const db = p.db();
      const invented = db.prepare(`SELECT evidence_verified FROM findings WHERE evidence LIKE '%compute_magic%'`).all() as { evidence_verified: number }[];
      const real = db.prepare(`SELECT count(*) AS n FROM findings WHERE evidence NOT LIKE '%compute_magic%' AND evidence_verified = 1`).get() as { n: number };
      const m = db.prepare(`SELECT value FROM metrics WHERE name = 'evidence_unverified'`).get() as { value: number };
      const fileRow = db.prepare(`SELECT evidence_unverified FROM file_reviews`).get() as { evidence_unverified: number };
      db.close();
      expect(invented).toEqual([{ evidence_verified: 0 }]);
      expect(real.n).toBeGreaterThan(0);
      expect(m.value).toBe(1);
      expect(fileRow.evidence_unverified).toBe(1);
      const show = await p.scrum("show", "src/ledger.rs");
      expect(show.out).toMatch(/UNVERIFIED/);
    } finally {
      p.cleanup();
    }
  });

  test("shard-relative line numbers from a model are mapped back to file lines", async () => {
    const good = makeProject(BIG, reviewers());
    const rel = makeProject(BIG, rung("relative", "ollama", sim.ollamaHost, "relative"));
    try {
      await good.scrum("run", "src", "--quiet");
      await rel.scrum("run", "src", "--quiet");
      const lines = (p: typeof good) => {
        const db = p.db();
        const rows = db.prepare(`SELECT category, line_start, evidence_verified FROM findings ORDER BY category, line_start`).all();
        db.close();
        return rows;
      };
      expect(lines(rel)).toEqual(lines(good));
      expect(lines(rel)).toContainEqual({ category: "pseudocode_flags", line_start: STUB_LINE, evidence_verified: 1 });
    } finally {
      good.cleanup();
      rel.cleanup();
    }
  });
});
