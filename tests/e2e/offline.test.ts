import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { main } from "../../pipeline/cli/main";
import type { Io } from "../../pipeline/cli/context";
import { DEMO_REPO, EXPECTED_VERDICTS, PLANTED } from "./demo-expected";
import { STATIC_RULE_METRICS } from "../../kb/aggregates";

let dir: string;
let kbFile: string;
let runOut = "";
let runCode = -1;

function io(): Io & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return { out: (t) => void (out += `${t}\n`), err: (t) => void (err += t), errIsTty: false, stdout: () => out, stderr: () => err };
}

async function scrum(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const s = io();
  const code = await main([...argv, "--kb", kbFile], {}, s, DEMO_REPO, new AbortController().signal);
  return { code, out: s.stdout(), err: s.stderr() };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "scrum-e2e-"));
  kbFile = join(dir, "scrum.db");
  const r = await scrum("run", ".", "--offline", "--label", "iter-1", "--json");
  runOut = r.out;
  runCode = r.code;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("an offline iteration over the demo repo", () => {
  test("finishes with exit 0 and prints the run summary JSON on stdout", () => {
    expect(runCode).toBe(0);
    const summary = JSON.parse(runOut);
    expect(summary).toMatchObject({ iteration_id: 1, label: "iter-1", status: "done" });
    expect(summary.files.total).toBe(EXPECTED_VERDICTS.size);
    expect(summary.metrics.findings_total).toBe(PLANTED.length);
  });

  test("every planted problem is a finding at its line, with its evidence verified", () => {
    const db = new Database(kbFile, { readonly: true });
    for (const p of PLANTED) {
      const row = db.prepare(`SELECT * FROM findings WHERE iteration_id = 1 AND path = ? AND line_start = ? AND category = ?`).get(p.file, p.line, p.category) as
        | { evidence: string; severity: string; evidence_verified: number }
        | undefined;
      expect(row, `${p.file}:${p.line} ${p.rule}`).toBeDefined();
      expect(row!.evidence).toBe(p.evidence);
      expect(row!.severity).toBe(p.severity);
      expect(row!.evidence_verified).toBe(1);
    }
    db.close();
  });

  test("each file gets the verdict EXPECTED.md lists, and the sqlite3 count agrees with history", async () => {
    const db = new Database(kbFile, { readonly: true });
    const rows = db.prepare(`SELECT path, verdict FROM file_reviews WHERE iteration_id = 1`).all() as { path: string; verdict: string }[];
    expect(new Map(rows.map((r) => [r.path, r.verdict]))).toEqual(EXPECTED_VERDICTS);
    const byVerdict = Object.fromEntries((db.prepare(`SELECT verdict, count(*) AS n FROM file_reviews GROUP BY 1`).all() as { verdict: string; n: number }[]).map((r) => [r.verdict, r.n]));
    db.close();
    const history = JSON.parse((await scrum("history", "--json")).out);
    expect(history[0]).toMatchObject({ id: 1, status: "done", pass: byVerdict.pass, needs_patch: byVerdict.needs_patch });
  });

  test("the large file is split into several shards and its verdict covers all of them", () => {
    const db = new Database(kbFile, { readonly: true });
    const row = db.prepare(`SELECT shards, tree_split_fired, coverage_complete, review_json FROM file_reviews WHERE path = 'src/pipeline.ts'`).get() as { shards: number; tree_split_fired: number; coverage_complete: number; review_json: string };
    db.close();
    expect(row.shards).toBeGreaterThan(1);
    expect(row.tree_split_fired).toBe(1);
    expect(row.coverage_complete).toBe(1);
    expect(JSON.parse(row.review_json).coverage).toEqual([...Array(row.shards).keys()]);
  });

  test("metrics agree with the rows they summarise", () => {
    const db = new Database(kbFile, { readonly: true });
    const m = Object.fromEntries((db.prepare(`SELECT name, value FROM metrics WHERE iteration_id = 1`).all() as { name: string; value: number }[]).map((r) => [r.name, r.value]));
    const findings = (db.prepare(`SELECT count(*) AS n FROM findings WHERE iteration_id = 1 AND category <> 'verified_components'`).get() as { n: number }).n;
    const counts = (db.prepare(`SELECT sum(findings_count) AS n, sum(shards) AS s FROM file_reviews WHERE iteration_id = 1`).get() as { n: number; s: number });
    db.close();
    expect(m.findings_total).toBe(findings);
    expect(counts.n).toBe(findings);
    expect(m.shards_total).toBe(counts.s);
    for (const name of ["files_total", "verdict_pass", "tier_auto", "escalations", "thin_rejections", "cost_usd", "wall_ms", "evidence_unverified", "tree_split_files"]) {
      expect(m[name], name).toBeDefined();
    }
    // One counter per static rule, informational rules included: the planted problems, rule by rule, and 0 for the rest.
    for (const [rule, name] of STATIC_RULE_METRICS) expect(m[name], name).toBe(PLANTED.filter((p) => p.rule === rule).length);
    expect(m.static_todo_comment).toBe(1);
  });

  test("show prints the stored verdict; flagged lists the files that need work, most urgent first", async () => {
    const show = JSON.parse((await scrum("show", "src/auth.rs", "--json")).out);
    expect(show.verdict.verdict).toBe("needs_patch");
    expect(show.attempts[0]).toMatchObject({ rung: "static", outcome: "accepted" });
    const paths = (await scrum("flagged", "--format", "paths")).out.trim().split("\n");
    for (const [file, verdict] of EXPECTED_VERDICTS) if (verdict !== "pass") expect(paths).toContain(file);
    const flagged = JSON.parse((await scrum("flagged", "--json")).out) as { verdict: string }[];
    const firstPass = flagged.findIndex((f) => f.verdict === "pass");
    if (firstPass >= 0) expect(flagged.slice(firstPass).every((f) => f.verdict === "pass")).toBe(true);
  });

  test("report through the CLI: SARIF on stdout with one result per planted problem", async () => {
    const r = await scrum("report", "iter-1", "--format", "sarif");
    expect(r.code).toBe(0);
    const sarif = JSON.parse(r.out);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0].results).toHaveLength(PLANTED.length);
    expect((await scrum("report", "--format", "pdf")).code).toBe(2);
  });

  test("a second iteration from the flagged files leaves the first untouched", async () => {
    const before = new Database(kbFile, { readonly: true });
    const rowsBefore = before.prepare(`SELECT * FROM file_reviews WHERE iteration_id = 1 ORDER BY path`).all();
    before.close();
    await scrum("note", "add", "src/auth.rs", "check the session store is wired");
    const r = await scrum("run", "--from-flagged", "--offline", "--label", "iter-2", "--json");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out);
    expect(summary.iteration_id).toBe(2);
    const after = new Database(kbFile, { readonly: true });
    expect(after.prepare(`SELECT * FROM file_reviews WHERE iteration_id = 1 ORDER BY path`).all()).toEqual(rowsBefore);
    const note = after.prepare(`SELECT status, picked_up_in FROM notes`).get();
    after.close();
    // The static rung reads no prompt: an offline run never marks a note picked up.
    expect(note).toEqual({ status: "open", picked_up_in: null });
  });
});

describe("bad input exits 2 with a message and writes nothing", () => {
  test("a missing target", async () => {
    const r = await scrum("run", "no/such/dir", "--offline");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/target "no\/such\/dir" does not exist/);
  });

  test("an unknown flag, an unknown command", async () => {
    expect((await scrum("run", ".", "--offlin")).code).toBe(2);
    const r = await scrum("frobnicate");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command 'frobnicate'/);
    expect(r.err).toMatch(/commands: init, run, history/);
  });

  test("a broken config names file and line; no iteration is started", async () => {
    const s = io();
    const before = JSON.parse((await scrum("history", "--json")).out).length;
    const code = await main(["run", ".", "--config", join(import.meta.dir, "../fixtures/config/unknown-key.toml"), "--kb", kbFile], {}, s, DEMO_REPO, new AbortController().signal);
    expect(code).toBe(2);
    expect(s.stderr()).toMatch(/unknown-key\.toml:8: unknown key "timeout_secs"/);
    expect(JSON.parse((await scrum("history", "--json")).out).length).toBe(before);
  });

  test("--fail-on trips with exit 3", async () => {
    const r = await scrum("run", "src/auth.rs", "--offline", "--fail-on", "needs_patch", "--quiet");
    expect(r.code).toBe(3);
  });
});
