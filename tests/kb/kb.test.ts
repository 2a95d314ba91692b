import type { FileRecord } from "../../domain/records";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Database } from "bun:sqlite";
import { Kb } from "../../kb/kb";
import { columnsOf, readEngine } from "../e2e/harness";
import { ON_POSTGRES, testKb } from "./postgres-server";

/** The schema version is the number of migration files. */
const MIGRATIONS = readdirSync(join(import.meta.dir, "../../kb/migrations")).filter((f) => /^\d+_.*\.sql$/.test(f)).length;

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "scrum-kb-"));
  // Under SCRUM_TEST_KB_ENGINE=postgres a schema of its own on the test server; the file otherwise.
  file = testKb(join(dir, "kb", "scrum.db"));
});

/** A connection of its own to the KB, past scrum (as the sqlite3 shell or psql would write to it). */
function outside(options: { readonly?: boolean } = {}): Database {
  return ON_POSTGRES ? readEngine(file) : new Database(file, options);
}
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function record(path: string, verdict: FileRecord["review"]["verdict"]): FileRecord {
  return {
    review: {
      path, content_sha: "abc", verdict, alignment_score: 7, output_format: "forensic_json", confidence_avg: 80, confidence_min: 70,
      gradient_tier: "review", findings_count: 1, critical_failures_count: 0, missing_components_count: 0, verified_components_count: 1,
      shards: 1, tree_split_fired: false, attempts_made: 1, thin_rejections: 0, escalations: 0, accepted_model: "m", tokens_in: 10,
      tokens_out: 20, cost_usd: 0, latency_ms: 5, review_json: JSON.stringify({ path, verdict }), error: null, skip_reason: null, coverage_complete: true,
      evidence_unverified: 0, reduced_by: "merge", shard_strategy: "whole",
    },
    findings: [
      { path, category: "pseudocode_flags", severity: "medium", confidence: 80, title: "stub", evidence: "todo!()", line_start: 3, line_end: 3, fingerprint: "f1", evidence_verified: true, shard_index: 0, rule: null, symbol: null, agreement: null, dismissal_id: null },
    ],
    attempts: [
      { path, shard_index: 0, rung: "local", model: "m", outcome: "accepted", reason: null, latency_ms: 5, tokens_in: 10, tokens_out: 20, cost_usd: 0, output_format: "forensic_json", server: "http://x", purpose: "review", redactions: 0, prompt_sha: null },
    ],
  };
}


describe("knowledge base", () => {
  test("migrations create the design's tables (on SQLite in WAL mode) and record the schema version", () => {
    const kb = new Kb(file);
    expect(kb.schemaVersion).toBe(MIGRATIONS);
    kb.close();
    const db = outside({ readonly: true });
    const tables = ON_POSTGRES
      ? `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`
      : `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`;
    expect((db.prepare(tables).all() as { name: string }[]).map((t) => t.name)).toEqual(expect.arrayContaining(["iterations", "file_reviews", "findings", "attempts", "metrics", "notes"]));
    if (!ON_POSTGRES) expect((db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
    const cols = columnsOf(db, "file_reviews");
    for (const c of ["iteration_id", "path", "content_sha", "verdict", "gradient_tier", "tree_split_fired", "accepted_model", "review_json", "error"]) {
      expect(cols).toContain(c);
    }
    db.close();
  });

  test("reopening an existing KB does not re-run migrations", () => {
    new Kb(file).close();
    const kb = new Kb(file);
    expect(kb.schemaVersion).toBe(MIGRATIONS);
    kb.close();
  });

  test("an iteration goes running → done and is then frozen", () => {
    const kb = new Kb(file);
    const id = kb.iterations.start({ label: "iter-1", configJson: "{}", gitCommit: null, targets: ["src"] });
    expect(kb.iterations.get(id)?.status).toBe("running");
    kb.recordFile(id, record("a.rs", "needs_patch"));
    kb.metrics.record(id, { files_total: 1 });
    kb.iterations.finish(id, "done");
    expect(kb.iterations.get(id)?.status).toBe("done");
    kb.close();
    const db = outside();
    expect(() => db.prepare(`UPDATE iterations SET label = 'x' WHERE id = ?`).run(id)).toThrow(/append-only/);
    expect(() => db.prepare(`UPDATE file_reviews SET verdict = 'pass'`).run()).toThrow(/append-only/);
    expect(() => db.prepare(`DELETE FROM file_reviews`).run()).toThrow(/never deleted/);
    db.close();
  });

  test("a file's review, findings and attempts land together and read back", () => {
    const kb = new Kb(file);
    const id = kb.iterations.start({ label: null, configJson: "{}", gitCommit: "deadbeef", targets: [] });
    kb.recordFile(id, record("src/a.rs", "needs_patch"));
    expect(kb.reviews.get(id, "src/a.rs")?.verdict).toBe("needs_patch");
    expect(kb.findings.inIteration(id, "src/a.rs")).toHaveLength(1);
    expect(kb.attempts.inIteration(id, "src/a.rs")[0]?.rung).toBe("local");
    expect(kb.reviews.paths(id)).toEqual(new Set(["src/a.rs"]));
    kb.close();
  });

  test("a review's outcome reads back as the review says, without its document", () => {
    const kb = new Kb(file);
    const id = kb.iterations.start({ label: null, configJson: "{}", gitCommit: null, targets: [] });
    const degraded = record("src/a.rs", "needs_patch");
    degraded.review = { ...degraded.review, reviewer: "static_fallback", degraded_reason: "no model rung answered" };
    kb.recordFiles(id, [record("src/b.rs", "pass"), degraded]);
    const keys = ["path", "content_sha", "verdict", "gradient_tier", "findings_count", "reviewer", "degraded_reason"] as const;
    const full = kb.reviews.inIteration(id).map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])));
    expect(kb.reviews.outcomes(id)).toEqual(full as never);
    expect(kb.reviews.outcomes(id).map((r) => [r.path, r.reviewer])).toEqual([["src/a.rs", "static_fallback"], ["src/b.rs", null]]);
    kb.close();
  });

  test("a failing insert leaves nothing of that file behind", () => {
    const kb = new Kb(file);
    const id = kb.iterations.start({ label: null, configJson: "{}", gitCommit: null, targets: [] });
    const bad = record("src/b.rs", "pass");
    bad.attempts[0]!.outcome = "exploded" as never;
    expect(() => kb.recordFile(id, bad)).toThrow();
    expect(kb.reviews.get(id, "src/b.rs")).toBeUndefined();
    expect(kb.findings.inIteration(id, "src/b.rs")).toHaveLength(0);
    kb.close();
  });

  test("several files in one transaction: all land, or none does", () => {
    const kb = new Kb(file);
    const id = kb.iterations.start({ label: null, configJson: "{}", gitCommit: null, targets: [] });
    kb.recordFiles(id, [record("src/a.rs", "needs_patch"), record("src/b.rs", "pass")]);
    expect([...kb.reviews.paths(id)].sort()).toEqual(["src/a.rs", "src/b.rs"]);
    expect(kb.findings.inIteration(id, "src/b.rs")).toHaveLength(1);
    const bad = record("src/d.rs", "pass");
    bad.attempts[0]!.outcome = "exploded" as never;
    expect(() => kb.recordFiles(id, [record("src/c.rs", "pass"), bad])).toThrow();
    expect(kb.reviews.get(id, "src/c.rs")).toBeUndefined();
    expect(kb.attempts.inIteration(id, "src/c.rs")).toHaveLength(0);
    kb.close();
  });

  test("ITER references: id, label, latest, previous", () => {
    const kb = new Kb(file);
    const a = kb.iterations.start({ label: "iter-1", configJson: "{}", gitCommit: null, targets: [] });
    const b = kb.iterations.start({ label: "iter-2", configJson: "{}", gitCommit: null, targets: [] });
    expect(kb.iterations.resolve(undefined).id).toBe(b);
    expect(kb.iterations.resolve("latest").id).toBe(b);
    expect(kb.iterations.resolve("previous").id).toBe(a);
    expect(kb.iterations.resolve("iter-1").id).toBe(a);
    expect(kb.iterations.resolve(String(a)).id).toBe(a);
    expect(() => kb.iterations.resolve("iter-9")).toThrow(/no iteration labelled "iter-9"/);
    kb.close();
  });

  test("an aborted iteration can be taken over once; a done one never; a takeover needs the row as it was seen", () => {
    const kb = new Kb(file);
    const id = kb.iterations.start({ label: null, configJson: "{}", gitCommit: null, targets: [], owner: { host: "h1", pid: 11 } });
    kb.iterations.finish(id, "aborted", "interrupted");
    const seen = kb.iterations.get(id)!;
    expect(kb.iterations.takeOver(seen, { host: "h2", pid: 22 })).toBe(true);
    expect(kb.iterations.get(id)).toMatchObject({ status: "running", host: "h2", pid: 22 });
    // A second process holding the same stale view loses: the row changed under it.
    expect(kb.iterations.takeOver(seen, { host: "h3", pid: 33 })).toBe(false);
    kb.iterations.finish(id, "done");
    expect(kb.iterations.takeOver(kb.iterations.get(id)!, { host: "h3", pid: 33 })).toBe(false);
    kb.close();
  });

  test("notes: open → picked_up in an iteration → resolved", () => {
    const kb = new Kb(file);
    const n = kb.notes.add("src/auth.rs", "reducer never saw the journal call", null);
    kb.notes.add("src/other.rs", "a second file", null);
    expect(kb.notes.openByPath().get("src/auth.rs")!.map((x) => x.id)).toEqual([n]);
    const id = kb.iterations.start({ label: null, configJson: "{}", gitCommit: null, targets: [] });
    kb.notes.markPickedUp([n], id);
    expect(kb.notes.openByPath().get("src/auth.rs")).toBeUndefined();
    expect([...kb.notes.openByPath().keys()]).toEqual(["src/other.rs"]);
    expect(kb.notes.all()[0]).toMatchObject({ status: "picked_up", picked_up_in: id });
    kb.notes.resolve(n);
    expect(kb.notes.all("resolved")).toHaveLength(1);
    kb.close();
  });
});

describe("server traits", () => {
  test("the newest row per server, model and trait is what is known; rows are append-only", () => {
    const kb = new Kb(file);
    kb.serverTraits.record({ server: "http://a/v1", model: "m", trait: "shape", value: "json_schema", reason: "answered" });
    kb.serverTraits.record({ server: "http://a/v1", model: "m", trait: "shape", value: "json_object", reason: "json_schema refused (HTTP 500)" });
    kb.serverTraits.record({ server: "http://a/v1", model: "m", trait: "window", value: "2048", reason: "overflow error" });
    kb.serverTraits.record({ server: "http://b/v1", model: "m", trait: "shape", value: "json_schema", reason: "answered" });
    expect(kb.serverTraits.all().map((r) => [r.server, r.trait, r.value])).toEqual([
      ["http://a/v1", "shape", "json_object"],
      ["http://a/v1", "window", "2048"],
      ["http://b/v1", "shape", "json_schema"],
    ]);
    expect(() => kb.db.exec("DELETE FROM server_traits")).toThrow(/never deleted/);
    kb.close();
  });

  test("an attempt may be recorded as refused", () => {
    const kb = new Kb(file);
    const id = kb.iterations.start({ label: null, configJson: "{}", gitCommit: null, targets: [] });
    const refused = record("src/r.rs", "pass");
    refused.attempts[0]!.outcome = "refused";
    kb.recordFile(id, refused);
    expect(kb.attempts.inIteration(id, "src/r.rs")[0]?.outcome).toBe("refused");
    kb.close();
  });
});
