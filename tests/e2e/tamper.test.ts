/**
 * Append-only against a writer that is not scrum: a KB made by a real run, then tampered with through a connection
 * that has none of scrum's pragmas (as the sqlite3 shell opens it) and through the sqlite3 shell itself when it is
 * installed. Every statement that would rewrite history is refused and leaves the file as it was; a dropped trigger
 * is put back at the next open; rows scrum never writes are a damaged KB (exit 2, table and rowid), never shown.
 * These tests work on the SQLite file; on PostgreSQL the same guarantees are tests/kb/engines.test.ts's.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { makeProject, ON_POSTGRES, rung, type Project } from "./harness";

const FILES = { "src/auth.rs": "examples/demo-repo/src/auth.rs", "src/report.py": "examples/demo-repo/src/report.py" };

let sim: SimServer;
let project: Project;
let scratch: string;
beforeAll(async () => {
  sim = await startSimServer({ behaviours: { reviewer: "good" } });
  project = makeProject(FILES, rung("local", "ollama", sim.ollamaHost, "reviewer"));
  expect((await project.scrum("run", ".", "--quiet")).code).toBe(0);
  scratch = mkdtempSync(join(tmpdir(), "scrum-tamper-"));
});
afterAll(async () => {
  project.cleanup();
  rmSync(scratch, { recursive: true, force: true });
  await sim.stop();
});

/**
 * The tamper statements, each against iteration 1 (finished) of the KB the run made. Row 1 of file_reviews, findings,
 * attempts and shard_cache exists; so do metric "files_total" and state row (1, src/auth.rs).
 */
const TAMPER: [string, string][] = [
  ["UPDATE a review's verdict", `UPDATE file_reviews SET verdict = 'pass' WHERE id = 1`],
  ["UPDATE a finding", `UPDATE findings SET severity = 'low' WHERE id = 1`],
  ["UPDATE an attempt", `UPDATE attempts SET outcome = 'accepted' WHERE id = 1`],
  ["UPDATE a metric", `UPDATE metrics SET value = 0`],
  ["UPDATE the state", `UPDATE state SET verdict = 'pass'`],
  ["UPDATE a finished iteration", `UPDATE iterations SET status = 'running' WHERE id = 1`],
  ["UPDATE the shard cache", `UPDATE shard_cache SET verdict_json = '{}'`],
  ["DELETE reviews", `DELETE FROM file_reviews`],
  ["DELETE findings", `DELETE FROM findings`],
  ["DELETE attempts", `DELETE FROM attempts`],
  ["DELETE metrics", `DELETE FROM metrics`],
  ["DELETE the state", `DELETE FROM state`],
  ["DELETE an iteration", `DELETE FROM iterations`],
  ["DELETE the shard cache", `DELETE FROM shard_cache`],
  ["REPLACE a review (same id and path)", `REPLACE INTO file_reviews (id, iteration_id, path, verdict, created_at) SELECT id, iteration_id, path, 'pass', created_at FROM file_reviews WHERE id = 1`],
  ["REPLACE a review (same iteration and path, new id)", `INSERT OR REPLACE INTO file_reviews (iteration_id, path, verdict, created_at) SELECT iteration_id, path, 'pass', created_at FROM file_reviews WHERE id = 1`],
  ["REPLACE a finding", `REPLACE INTO findings SELECT * FROM findings WHERE id = 1`],
  ["REPLACE an attempt", `REPLACE INTO attempts SELECT * FROM attempts WHERE id = 1`],
  ["REPLACE the state", `REPLACE INTO state (iteration_id, path, from_iteration_id, stale, verdict) VALUES (1, 'src/auth.rs', 1, 0, 'pass')`],
  ["REPLACE an iteration", `REPLACE INTO iterations (id, status, started_at, config_json) VALUES (1, 'running', 'x', '{}')`],
  ["REPLACE a metric", `REPLACE INTO metrics (iteration_id, name, value) VALUES (1, 'files_total', 99)`],
  ["REPLACE a cached answer", `REPLACE INTO shard_cache (rowid, prompt_sha, rung, model, verdict_json, iteration_id, created_at) VALUES (1, 'x', 'r', 'm', '{}', 1, 'x')`],
  ["UPSERT a metric", `INSERT INTO metrics (iteration_id, name, value) VALUES (1, 'files_total', 99) ON CONFLICT (iteration_id, name) DO UPDATE SET value = 99`],
  ["INSERT a review into a finished iteration", `INSERT INTO file_reviews (iteration_id, path, verdict, review_json, created_at) VALUES (1, 'src/new.rs', 'pass', '{"verdict":"pass","path":"src/new.rs"}', 'x')`],
  ["INSERT a finding into a finished iteration", `INSERT INTO findings (iteration_id, path, category, severity, confidence, title, evidence, line_start, line_end, fingerprint, evidence_verified) VALUES (1, 'src/auth.rs', 'risk_points', 'high', 90, 't', 'e', 1, 1, 'f', 1)`],
  ["INSERT an attempt into a finished iteration", `INSERT INTO attempts (iteration_id, path, shard_index, rung, model, outcome, created_at) VALUES (1, 'src/auth.rs', 0, 'r', 'm', 'accepted', 'x')`],
  ["INSERT a state row into a finished iteration", `INSERT INTO state (iteration_id, path, from_iteration_id, stale, verdict) VALUES (1, 'src/new.rs', 1, 0, 'pass')`],
  ["INSERT a metric into a finished iteration", `INSERT INTO metrics (iteration_id, name, value) VALUES (1, 'forged', 1)`],
  ["INSERT a cached answer for a finished iteration", `INSERT INTO shard_cache (prompt_sha, rung, model, verdict_json, iteration_id, created_at) VALUES ('x', 'r', 'm', '{}', 1, 'x')`],
  ["INSERT rows for an iteration that does not exist", `INSERT INTO file_reviews (iteration_id, path, verdict, created_at) VALUES (99, 'src/new.rs', 'pass', 'x')`],
  ["INSERT an iteration that is already finished", `INSERT INTO iterations (status, started_at, config_json) VALUES ('done', 'x', '{}')`],
];

/** Every row of every table, as text: equal before and after means the statement changed nothing. */
function contents(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const tables = (db.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((t) => t.name);
    return JSON.stringify(tables.map((t) => [t, db.query(`SELECT rowid, * FROM "${t}" ORDER BY rowid`).all()]));
  } finally {
    db.close();
  }
}

/** A copy of the run's KB (WAL folded in), to tamper with. */
function copyKb(name: string): string {
  const db = new Database(project.kb);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  const file = join(scratch, `${name}.db`);
  copyFileSync(project.kb, file);
  return file;
}

describe.skipIf(ON_POSTGRES)("tamper statements through a connection without scrum's pragmas", () => {
  test("the KB has what the statements aim at", () => {
    const db = new Database(project.kb, { readonly: true });
    const count = (sql: string) => (db.query(sql).get() as { n: number }).n;
    expect(count(`SELECT count(*) AS n FROM iterations WHERE id = 1 AND status = 'done'`)).toBe(1);
    for (const table of ["file_reviews", "findings", "attempts", "shard_cache"]) expect(count(`SELECT count(*) AS n FROM ${table} WHERE rowid = 1`)).toBe(1);
    expect(count(`SELECT count(*) AS n FROM metrics WHERE iteration_id = 1 AND name = 'files_total'`)).toBe(1);
    expect(count(`SELECT count(*) AS n FROM state WHERE iteration_id = 1 AND path = 'src/auth.rs'`)).toBe(1);
    db.close();
  });

  test(`all ${TAMPER.length} statements are refused and change nothing`, () => {
    const file = copyKb("plain");
    const before = contents(file);
    const db = new Database(file);
    const accepted: string[] = [];
    for (const [what, sql] of TAMPER) {
      try {
        db.exec(sql);
        accepted.push(what);
      } catch (e) {
        expect(String(e)).toMatch(/append-only|never deleted|finished|starts running|never replaced/);
      }
    }
    db.close();
    expect(accepted).toEqual([]);
    expect(contents(file)).toBe(before);
  });

  test.skipIf(!Bun.which("sqlite3"))(`the sqlite3 shell: all ${TAMPER.length} statements are refused and change nothing`, () => {
    const file = copyKb("shell");
    const before = contents(file);
    const accepted: string[] = [];
    for (const [what, sql] of TAMPER) {
      const r = Bun.spawnSync(["sqlite3", "-bail", file, sql], { stdout: "pipe", stderr: "pipe" });
      if (r.exitCode === 0) accepted.push(what);
    }
    expect(accepted).toEqual([]);
    expect(contents(file)).toBe(before);
  });

  test("the KB's own writes still go through: a second run appends a new iteration", async () => {
    expect((await project.scrum("run", ".", "--quiet")).code).toBe(0);
    const db = project.db();
    expect(db.query(`SELECT id, status FROM iterations ORDER BY id`).all()).toEqual([
      { id: 1, status: "done" },
      { id: 2, status: "done" },
    ]);
    db.close();
  });
});

/** A project over a tampered copy of the run's KB: `tamper` runs with no trigger in the way (they were dropped first). */
function tampered(name: string, tamper: string): Project & { file: string } {
  const file = copyKb(name);
  const db = new Database(file);
  const triggers = (db.query(`SELECT name FROM sqlite_master WHERE type = 'trigger'`).all() as { name: string }[]).map((t) => t.name);
  for (const t of triggers) db.exec(`DROP TRIGGER "${t}"`);
  db.exec(tamper);
  db.close();
  const p = makeProject({}, "");
  return { ...p, file, scrum: (...argv: string[]) => p.scrum(...argv, "--kb", file) };
}

describe.skipIf(ON_POSTGRES)("a KB changed outside scrum", () => {
  test("dropped triggers are put back at the next open, with a warning; the refused statement is refused again", async () => {
    const p = tampered("dropped", `SELECT 1`);
    try {
      const r = await p.scrum("status");
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/warning: .* had lost append-only triggers .*file_reviews_no_update.*restored/);
      const db = new Database(p.file);
      expect(() => db.exec(`REPLACE INTO file_reviews (id, iteration_id, path, verdict, created_at) VALUES (1, 1, 'src/auth.rs', 'pass', 'x')`)).toThrow(/append-only|finished/);
      expect(() => db.exec(`DELETE FROM shard_cache`)).toThrow(/never deleted/);
      db.close();
      // Put back once: the next open finds nothing to restore.
      expect((await p.scrum("status")).err).not.toMatch(/warning/);
    } finally {
      p.cleanup();
    }
  });

  test("an altered trigger (same name, does nothing) is replaced by the real one", async () => {
    const p = tampered("altered", `CREATE TRIGGER file_reviews_no_update BEFORE UPDATE ON file_reviews BEGIN SELECT 1; END`);
    try {
      expect((await p.scrum("status")).err).toMatch(/file_reviews_no_update/);
      const db = new Database(p.file);
      expect(() => db.exec(`UPDATE file_reviews SET verdict = 'pass'`)).toThrow(/append-only/);
      db.close();
    } finally {
      p.cleanup();
    }
  });

  test("a dropped table is a damaged KB: exit 2 naming it, nothing shown", async () => {
    const p = tampered("no-table", `DROP TABLE findings`);
    try {
      const r = await p.scrum("report");
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/damaged: table findings is missing/);
      expect(r.out).toBe("");
    } finally {
      p.cleanup();
    }
  });

  const DAMAGE: [string, string, string[], RegExp][] = [
    ["review_json that is not JSON", `UPDATE file_reviews SET review_json = '{not json' WHERE iteration_id = 1 AND path = 'src/auth.rs'`, ["show", "1", "src/auth.rs"], /file_reviews rowid \d+ \(iteration 1, src\/auth\.rs\): review_json is not JSON/],
    ["a forged verdict (the row says pass, its review does not)", `UPDATE file_reviews SET verdict = 'pass' WHERE iteration_id = 1 AND path = 'src/auth.rs' AND verdict <> 'pass'`, ["report", "1"], /file_reviews rowid \d+ \(iteration 1, src\/auth\.rs\): the row says pass, its review_json says (needs_patch|fail)/],
    ["a review moved to another path", `UPDATE file_reviews SET path = 'src/other.rs' WHERE id = 1`, ["report", "1", "--format", "json"], /file_reviews rowid 1 \(iteration 1, src\/other\.rs\): review_json is the review of src\/\w+\.\w+/],
    ["a reviewed row with no review_json", `UPDATE file_reviews SET review_json = NULL WHERE id = 1`, ["diff", "1", "1", "--scope", "iteration"], /file_reviews rowid 1 .*has no review_json/],
    ["a finding with no review", `INSERT INTO findings (iteration_id, path, category, severity, confidence, title, evidence, line_start, line_end, fingerprint, evidence_verified) VALUES (1, 'src/ghost.rs', 'risk_points', 'high', 90, 't', 'e', 1, 1, 'f', 1)`, ["report", "1"], /findings rowid \d+ \(src\/ghost\.rs\) of iteration 1 belong to no file_reviews row/],
    ["targets_json that is not JSON", `UPDATE iterations SET targets_json = 'src' WHERE id = 1`, ["history"], /iterations rowid 1: targets_json is not JSON/],
  ];
  for (const [what, tamper, argv, message] of DAMAGE) {
    test(`${what}: \`scrum ${argv.join(" ")}\` says the KB is damaged (exit 2, table and rowid), no stack trace`, async () => {
      const p = tampered(what.replace(/\W+/g, "-"), tamper);
      try {
        const r = await p.scrum(...argv);
        expect(r.code).toBe(2);
        expect(r.err).toMatch(/the knowledge base .* is damaged/);
        expect(r.err).toMatch(message);
        expect(r.err).not.toMatch(/\n\s+at /);
      } finally {
        p.cleanup();
      }
    });
  }
});
