/**
 * Numbers a model gets wrong in an otherwise sound answer (issue 20): a line range past the end of the file
 * (`0-4817963235`) and confidences with a tail of decimals (73.33333333). What the KB stores and `scrum show` prints:
 * a range from line 0 is the file (`0-0`, shown as `file`), a line past the end the shard's bound (the evidence stays
 * UNVERIFIED), confidences whole numbers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { makeProject, rung } from "./harness";

/** tests/fixtures/sim/loader.ts has 18 lines; one shard holds them all. */
const FILES = { "src/loader.ts": "tests/fixtures/sim/loader.ts" };

const ANSWER = {
  verdict: "needs_patch",
  alignment_score: 5,
  summary: "A stub and a swallowed error.",
  critical_failures: [],
  pseudocode_flags: [
    { title: "Stub that throws", evidence: 'throw new Error("stub"); // !!! wire the HTTP call', line_start: 17, line_end: 17, severity: "medium", confidence: 88.66666666 },
    { title: "Somewhere in the file", evidence: "a line that is not in the file", line_start: 0, line_end: 4817963235, severity: "low", confidence: 73.33333333 },
    { title: "Past the end", evidence: "another line that is not in the file", line_start: 9000, line_end: 4817963235, severity: "low", confidence: 50 },
  ],
  prd_mismatches: [],
  broken_pipelines: [],
  missing_components: [],
  risk_points: [{ title: "Error swallowed", evidence: "} catch {}", line_start: 11, line_end: 11, severity: "medium", confidence: 61.5 }],
  verified_components: [{ title: "Settings read from disk", evidence: 'return JSON.parse(readFileSync(path, "utf8")) as Settings;', line_start: 10, line_end: 10, severity: "low", confidence: 90.04 }],
  required_next_actions: [{ action: "Wire the HTTP call", priority: "medium", confidence: 66.66666667 }],
};

/** An OpenAI-compatible server that answers every chat request with ANSWER. */
let server: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path.endsWith("/models")) return Response.json({ object: "list", data: [{ id: "canned", object: "model" }] });
      return Response.json({
        id: "c1",
        object: "chat.completion",
        model: "canned",
        choices: [{ index: 0, message: { role: "assistant", content: JSON.stringify(ANSWER) }, finish_reason: "stop" }],
        usage: { prompt_tokens: 3000, completion_tokens: 400, total_tokens: 3400 },
      });
    },
  });
});
afterAll(() => server.stop(true));

describe("numbers a model gets wrong", () => {
  test("a range from line 0 is the file, one past the end is held to the shard; both UNVERIFIED; confidences are stored and shown as whole numbers", async () => {
    const p = makeProject(FILES, rung("canned", "openai", `http://127.0.0.1:${server.port}/v1`, "canned"));
    try {
      const run = await p.scrum("run", "src", "--json");
      expect(run.code).toBe(0);
      const db = p.db();
      const findings = db.prepare(`SELECT title, line_start, line_end, confidence, evidence_verified FROM findings ORDER BY line_start, title`).all() as {
        title: string;
        line_start: number;
        line_end: number;
        confidence: number;
        evidence_verified: number;
      }[];
      const verdict = JSON.parse((db.prepare(`SELECT review_json FROM file_reviews`).get() as { review_json: string }).review_json) as { required_next_actions: { confidence: number }[] };
      db.close();
      const nowhere = findings.find((f) => f.title === "Somewhere in the file")!;
      expect(nowhere).toMatchObject({ line_start: 0, line_end: 0, confidence: 73, evidence_verified: 0 });
      expect(findings.find((f) => f.title === "Past the end")).toMatchObject({ line_start: 1, line_end: 18, evidence_verified: 0 });
      expect(findings.find((f) => f.title === "Stub that throws")).toMatchObject({ line_start: 17, line_end: 17, confidence: 89, evidence_verified: 1 });
      expect(findings.find((f) => f.title === "Error swallowed")).toMatchObject({ confidence: 62 });
      expect(findings.find((f) => f.title === "Settings read from disk")).toMatchObject({ confidence: 90 });
      for (const f of findings) expect(Number.isInteger(f.confidence)).toBe(true);
      expect(verdict.required_next_actions.map((a) => a.confidence)).toEqual([67]);

      const show = await p.scrum("show", "src/loader.ts");
      expect(show.code).toBe(0);
      expect(show.out).not.toContain("4817963235");
      expect(show.out).not.toContain("73.3");
      expect(show.out).toMatch(/file\s+pseudocode_flags\s+low\s+73\s+UNVERIFIED/);
      expect(show.out).toMatch(/1-18\s+pseudocode_flags\s+low\s+50\s+UNVERIFIED/);
    } finally {
      p.cleanup();
    }
  });
});
