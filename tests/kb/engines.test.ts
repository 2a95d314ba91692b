/**
 * The KB on its two engines: the SQL translation for PostgreSQL, and on a real PostgreSQL server (tests/kb/
 * postgres-server.ts) the migrations, the append-only guarantee against a connection that is not scrum's, a trigger
 * put back after it was dropped or disabled, and a server that cannot be reached.
 */
import type { FileRecord } from "../../domain/records";
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Kb } from "../../kb/kb";
import { openEngine, showLocation } from "../../kb/engine";
import { translate } from "../../kb/postgres/translate";
import { POSTGRES_BASELINE } from "../../kb/postgres/schema";
import { postgresKb, postgresUnavailable } from "./postgres-server";
import { explainIoFailure } from "../../pipeline/cli/io-errors";
import type { Home } from "../../pipeline/cli/discover";
import { main } from "../../pipeline/cli/main";

/** `scrum --kb KB ARGV…` in this process: exit code and stderr. */
async function scrumOn(kb: string, ...argv: string[]): Promise<{ code: number; err: string }> {
  let err = "";
  const io = { out: () => {}, err: (t: string) => void (err += t), errIsTty: false };
  const code = await main(["--kb", kb, ...argv], {}, io, process.cwd(), new AbortController().signal);
  return { code, err };
}

const MIGRATIONS = readdirSync(join(import.meta.dir, "../../kb/migrations")).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();

describe("SQL as PostgreSQL reads it", () => {
  test("positional, numbered and named parameters become $N; literals and quoted names are left alone", () => {
    const a = translate(`SELECT '?', "a?b" FROM t WHERE x = ? AND y = ? -- ? here is a comment`);
    expect(a.sql).toBe(`SELECT '?', "a?b" FROM t WHERE x = $1 AND y = $2 `);
    expect(a.bind(["1", 2])).toEqual(["1", 2]);
    const b = translate(`SELECT * FROM t WHERE a = ?1 OR b = ?2 OR c = ?1`);
    expect(b.sql).toBe(`SELECT * FROM t WHERE a = $1 OR b = $2 OR c = $1`);
    const c = translate(`INSERT INTO notes (path, text) VALUES (@path, @text)`);
    expect(c.sql).toBe(`INSERT INTO notes (path, text) VALUES ($1, $2) RETURNING id`);
    expect(c.bind([{ text: "t", path: "p" }])).toEqual(["p", "t"]);
    expect(() => c.bind([{ path: "p" }])).toThrow(/missing parameter @text/);
    expect(translate(`INSERT INTO metrics (iteration_id) VALUES (?)`).returnsId).toBe(false);
  });

  test("null-safe equality, REAL and booleans", () => {
    expect(translate(`UPDATE i SET a = 1 WHERE h IS ?`).sql).toBe(`UPDATE i SET a = 1 WHERE h IS NOT DISTINCT FROM $1`);
    expect(translate(`SELECT CAST(x AS REAL) FROM t`).sql).toBe(`SELECT CAST(x AS DOUBLE PRECISION) FROM t`);
    expect(translate(`SELECT ? , ?`).bind([true, false])).toEqual([1, 0]);
  });

  test("a URL's password is never shown", () => {
    expect(showLocation("postgres://scrum:s3cret@db.example:5432/kb?schema=x")).toBe("postgres://scrum:***@db.example:5432/kb?schema=x");
    expect(showLocation("postgres://scrum@db.example/kb")).toBe("postgres://scrum@db.example/kb");
    expect(showLocation("/tmp/a:b@c.db")).toBe("/tmp/a:b@c.db");
  });

  test("every SQLite migration after the PostgreSQL baseline has a PostgreSQL file of the same name", () => {
    const later = MIGRATIONS.slice(MIGRATIONS.indexOf(POSTGRES_BASELINE) + 1);
    const postgres = new Set(readdirSync(join(import.meta.dir, "../../kb/migrations/postgres")));
    expect(MIGRATIONS).toContain(POSTGRES_BASELINE);
    expect(later.filter((f) => !postgres.has(f))).toEqual([]);
  });
});

function record(path: string): FileRecord {
  return {
    review: {
      path, content_sha: "abc", verdict: "needs_patch", alignment_score: 7, output_format: "forensic_json", confidence_avg: 80, confidence_min: 70,
      gradient_tier: "review", findings_count: 1, critical_failures_count: 0, missing_components_count: 0, verified_components_count: 0,
      shards: 1, tree_split_fired: false, attempts_made: 1, thin_rejections: 0, escalations: 0, accepted_model: "m", tokens_in: 10,
      tokens_out: 20, cost_usd: 0.5, latency_ms: 5, review_json: JSON.stringify({ path, verdict: "needs_patch" }), error: null, skip_reason: null,
      coverage_complete: true, evidence_unverified: 0, reduced_by: "merge", shard_strategy: "whole",
    },
    findings: [
      { path, category: "pseudocode_flags", severity: "medium", confidence: 80, title: "stub", evidence: "todo!()", line_start: 3, line_end: 3, fingerprint: "f1", evidence_verified: true, shard_index: 0 },
    ],
    attempts: [
      { path, shard_index: 0, rung: "local", model: "m", outcome: "accepted", reason: null, latency_ms: 5, tokens_in: 10, tokens_out: 20, cost_usd: 0.5, output_format: "forensic_json", server: "http://x", purpose: "review" },
    ],
    cache: [{ prompt_sha: "p1", rung: "local", model: "m", verdict_json: "{}", output_format: "forensic_json" }],
  };
}

/** A PostgreSQL KB with one finished iteration (a review, a finding, an attempt, a cached answer, metrics, state). */
function finishedKb(name: string): string {
  const url = postgresKb(name)!;
  const kb = new Kb(url);
  const id = kb.iterations.start({ label: "one", configJson: "{}", gitCommit: null, targets: ["a.rs"] });
  kb.recordFile(id, record("a.rs"));
  kb.completeIteration(id, [{ iteration_id: id, path: "a.rs", from_iteration_id: id, content_sha: "abc", stale: false, verdict: "needs_patch", gradient_tier: "review", findings_count: 1, findings_high: 0, findings_medium: 1, findings_low: 0, critical_failures_count: 0, missing_components_count: 0, reviewer: "model", degraded: false, degraded_reason: null }], kb.metrics.computed(id));
  kb.close();
  return url;
}

/** What a writer that is not scrum might try on a finished iteration, in PostgreSQL's words. */
const TAMPER: [string, string][] = [
  ["UPDATE a review's verdict", `UPDATE file_reviews SET verdict = 'pass'`],
  ["UPDATE a finding", `UPDATE findings SET severity = 'low'`],
  ["UPDATE an attempt", `UPDATE attempts SET outcome = 'error'`],
  ["UPDATE a metric", `UPDATE metrics SET value = 0`],
  ["UPDATE the state", `UPDATE state SET verdict = 'pass'`],
  ["UPDATE a finished iteration", `UPDATE iterations SET status = 'running'`],
  ["UPDATE the shard cache", `UPDATE shard_cache SET verdict_json = '[]'`],
  ["DELETE reviews", `DELETE FROM file_reviews`],
  ["DELETE findings", `DELETE FROM findings`],
  ["DELETE attempts", `DELETE FROM attempts`],
  ["DELETE metrics", `DELETE FROM metrics`],
  ["DELETE the state", `DELETE FROM state`],
  ["DELETE an iteration", `DELETE FROM iterations`],
  ["DELETE the shard cache", `DELETE FROM shard_cache`],
  ["TRUNCATE findings", `TRUNCATE findings`],
  ["TRUNCATE everything", `TRUNCATE iterations, file_reviews, findings, attempts, metrics, state, shard_cache CASCADE`],
  ["UPSERT a metric", `INSERT INTO metrics (iteration_id, name, value) VALUES (1, 'files_total', 99) ON CONFLICT (iteration_id, name) DO UPDATE SET value = 99`],
  ["UPSERT a review", `INSERT INTO file_reviews (iteration_id, path, verdict, created_at) VALUES (1, 'a.rs', 'pass', 'x') ON CONFLICT (iteration_id, path) DO UPDATE SET verdict = 'pass'`],
  ["INSERT a review into a finished iteration", `INSERT INTO file_reviews (iteration_id, path, verdict, created_at) VALUES (1, 'new.rs', 'pass', 'x')`],
  ["INSERT a finding into a finished iteration", `INSERT INTO findings (iteration_id, path, category, severity, confidence, title, evidence, line_start, line_end, fingerprint, evidence_verified) VALUES (1, 'a.rs', 'critical_failures', 'high', 90, 't', 'e', 1, 1, 'x', 1)`],
  ["INSERT a finished iteration", `INSERT INTO iterations (status, started_at, config_json) VALUES ('done', 'x', '{}')`],
];

const pg = postgresKb("probe") !== null;

describe.skipIf(!pg)("the KB on PostgreSQL", () => {
  test("a new database gets the schema of every migration; reopening migrates nothing", () => {
    const url = postgresKb("migrate")!;
    const kb = new Kb(url);
    expect(kb.schemaVersion).toBe(MIGRATIONS.length);
    expect(kb.restoredTriggers).toEqual([]);
    kb.close();
    const again = new Kb(url);
    expect(again.schemaVersion).toBe(MIGRATIONS.length);
    expect(again.iterations.all()).toEqual([]);
    again.close();
  });

  test("three processes opening one new database at once: one migrates, all open it", async () => {
    const url = postgresKb("race")!;
    const code = `import { Kb } from ${JSON.stringify(join(import.meta.dir, "../../kb/kb"))}; const kb = new Kb(process.argv.at(-1)); console.log(kb.schemaVersion); kb.close();`;
    const children = [1, 2, 3].map(() => Bun.spawn([process.execPath, "-e", code, url], { stdout: "pipe", stderr: "pipe" }));
    const outs = await Promise.all(children.map(async (c) => ({ out: (await new Response(c.stdout).text()).trim(), err: await new Response(c.stderr).text(), code: await c.exited })));
    expect(outs.map((o) => [o.code, o.out, o.err])).toEqual([0, 1, 2].map(() => [0, String(MIGRATIONS.length), ""]));
  });

  test(`all ${TAMPER.length} tamper statements through another connection are refused and change nothing`, () => {
    const url = finishedKb("tamper");
    const other = openEngine(url);
    const snapshot = () =>
      ["iterations", "file_reviews", "findings", "attempts", "metrics", "state", "shard_cache"].map((t) => other.query(`SELECT * FROM ${t} ORDER BY 1, 2`).all());
    const before = snapshot();
    const accepted: string[] = [];
    for (const [what, sql] of TAMPER) {
      try {
        other.exec(sql);
        accepted.push(what);
      } catch (e) {
        expect(String(e)).toMatch(/append-only|never deleted|finished|starts running/);
      }
    }
    expect(accepted).toEqual([]);
    expect(snapshot()).toEqual(before);
    other.close();
    // scrum's own writes still go through.
    const kb = new Kb(url);
    const next = kb.iterations.start({ label: null, configJson: "{}", gitCommit: null, targets: [] });
    kb.recordFile(next, record("a.rs"));
    expect(kb.findings.inIteration(next)).toHaveLength(1);
    kb.close();
  });

  test("a trigger dropped, disabled or emptied outside scrum is put back at the next open, and named", () => {
    const url = finishedKb("restore");
    const other = openEngine(url);
    other.exec(`DROP TRIGGER findings_no_delete ON findings`);
    other.exec(`ALTER TABLE file_reviews DISABLE TRIGGER file_reviews_no_update`);
    other.exec(`CREATE OR REPLACE FUNCTION scrum_iteration_open() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`);
    other.close();
    const kb = new Kb(url);
    expect(kb.restoredTriggers.sort()).toEqual(["file_reviews_no_update", "findings_no_delete", "scrum_iteration_open()"]);
    kb.close();
    const check = openEngine(url);
    expect(() => check.exec(`DELETE FROM findings`)).toThrow(/never deleted/);
    expect(() => check.exec(`UPDATE file_reviews SET verdict = 'pass'`)).toThrow(/append-only/);
    expect(() => check.exec(`INSERT INTO file_reviews (iteration_id, path, verdict, created_at) VALUES (1, 'n.rs', 'pass', 'x')`)).toThrow(/finished/);
    check.close();
    expect(new Kb(url).restoredTriggers).toEqual([]);
  });

  test("a row scrum never writes, put there with the triggers out of the way, is a damaged KB naming table and row", () => {
    const url = finishedKb("damaged");
    const other = openEngine(url);
    other.exec(`ALTER TABLE file_reviews DISABLE TRIGGER USER`);
    other.exec(`UPDATE file_reviews SET review_json = 'not json' WHERE path = 'a.rs'`);
    other.exec(`ALTER TABLE findings DISABLE TRIGGER USER`);
    other.exec(`INSERT INTO findings (iteration_id, path, category, severity, confidence, title, evidence, line_start, line_end, fingerprint, evidence_verified) VALUES (1, 'ghost.rs', 'risk_points', 'low', 80, 't', 'e', 1, 1, 'g', 1)`);
    other.close();
    const kb = new Kb(url);
    try {
      // The disabled triggers are back before anything is read.
      expect(kb.restoredTriggers.length).toBeGreaterThan(0);
      expect(() => kb.reviews.inIteration(1)).toThrow(/is damaged: file_reviews rowid \d+ \(iteration 1, a\.rs\): review_json is not JSON/);
      expect(() => kb.findings.inIteration(1)).toThrow(/is damaged: findings rowid \d+ \(ghost\.rs\) of iteration 1 belong to no file_reviews row/);
    } finally {
      kb.close();
    }
  });

  test("the same history reads the same on both engines", () => {
    const url = postgresKb("same")!;
    const now = () => new Date("2026-01-02T03:04:05.000Z");
    const read = (kb: Kb) => {
      const id = kb.iterations.start({ label: "one", configJson: "{}", gitCommit: "c", targets: ["a.rs", "b.rs"], owner: { host: "h", pid: 1 } });
      kb.recordFile(id, record("a.rs"));
      kb.recordFile(id, { ...record("b.rs"), findings: [], cache: [] });
      const d = kb.dismissals.add({ fingerprint: "f1", path: "a.rs", reason: "accepted risk" });
      kb.notes.add("a.rs", "look again", id);
      kb.serverTraits.record({ server: "http://s", model: "m", trait: "window", value: "2048", reason: "r" });
      kb.completeIteration(id, [], { ...kb.metrics.computed(id), ...kb.metrics.outcomes(id, null) });
      return {
        iterations: kb.iterations.all(), reviews: kb.reviews.inIteration(id), outcomes: kb.reviews.outcomes(id), findings: kb.findings.inIteration(id), attempts: kb.attempts.inIteration(id), metrics: kb.metrics.of(id),
        history: [...kb.metrics.history()], all: [...kb.metrics.all()], dismissed: kb.findings.dismissedSince(), active: [...kb.dismissals.active()],
        rungs: kb.rungs.totals(), overturns: kb.rungs.overturns(), prefix: kb.findings.withPrefix("f"), cache: kb.cache.answer("p1"),
        notes: kb.notes.all(), traits: kb.serverTraits.all(), records: kb.fileRecords(id), paths: kb.reviews.knownPaths(), undo: kb.dismissals.undo(d),
        counting: [...kb.findings.counting(id)],
      };
    };
    const sqlite = new Kb(":memory:", { now });
    const postgres = new Kb(url, { now });
    const a = read(sqlite);
    const b = read(postgres);
    sqlite.close();
    postgres.close();
    expect(b).toEqual(a);
    expect(a.metrics.findings_total).toBe(1);
    expect(a.rungs[0]).toMatchObject({ rung: "local", model: "m", answers: 2, accepted: 2 });
  });

  // The PostgreSQL side of tests/e2e/crash.test.ts's "a KB that is not ours is refused and left untouched" (files).
  test("a schema holding another program's tables where scrum's go: exit 2 naming it, no stack trace, left as it was", async () => {
    const url = postgresKb("foreign")!;
    const db = openEngine(url);
    db.exec(`CREATE TABLE iterations (id integer PRIMARY KEY, name text); INSERT INTO iterations VALUES (1, 'mine')`);
    const r = await scrumOn(url, "history");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not a scrum knowledge base: its schema holds table iterations that scrum did not make .*nothing was changed/);
    expect(r.err).not.toMatch(/^\s+at /m);
    const tables = db.query(`SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema()`).all() as { t: string }[];
    expect(tables.map((t) => t.t)).toEqual(["iterations"]);
    expect(db.query(`SELECT * FROM iterations`).all()).toEqual([{ id: 1, name: "mine" }]);
    db.close();
  });

  test("a KB from a newer scrum: exit 2 naming its version, the database left as it was", async () => {
    const url = postgresKb("future")!;
    const db = openEngine(url);
    db.exec(`CREATE TABLE scrum_schema (version bigint NOT NULL); INSERT INTO scrum_schema VALUES (99)`);
    const r = await scrumOn(url, "history");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/has knowledge-base schema version 99, newer than this scrum knows \(\d+\); upgrade scrum \(the database was not changed\)/);
    expect(db.query(`SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema()`).all()).toEqual([{ t: "scrum_schema" }]);
    expect(Number((db.query(`SELECT version FROM scrum_schema`).get() as { version: number }).version)).toBe(99);
    db.close();
  });

  test("a KB an older scrum made (the baseline's version) is migrated at its next open, its history kept and guarded", () => {
    const url = postgresKb("older")!;
    const db = openEngine(url);
    db.exec(readFileSync(join(import.meta.dir, "../../kb/migrations/postgres/baseline.sql"), "utf8"));
    db.exec(`CREATE TABLE scrum_schema (version bigint NOT NULL); INSERT INTO scrum_schema VALUES (${MIGRATIONS.indexOf(POSTGRES_BASELINE) + 1})`);
    db.exec(`INSERT INTO iterations (label, status, started_at, config_json) VALUES ('old', 'done', '2026-01-01T00:00:00.000Z', '{}')`);
    const kb = new Kb(url);
    expect(kb.schemaVersion).toBe(MIGRATIONS.length);
    expect(kb.iterations.all().map((i) => [i.label, i.status])).toEqual([["old", "done"]]);
    kb.close();
    expect(() => db.exec(`DELETE FROM iterations`)).toThrow(/never deleted/);
    db.close();
  });

  test("a server that stops mid-command: one line naming the KB and what to do, exit 1, no stack trace", () => {
    // A server of its own, stopped under an open KB (the shared one stays up for the other tests).
    const started = Bun.spawnSync([join(import.meta.dir, "../../scripts/postgres/start.sh")], { stdout: "pipe", stderr: "pipe" });
    expect(started.exitCode).toBe(0);
    const [url, pid, dir] = started.stdout.toString().trim().split(" ");
    const kb = new Kb(url!.replace("scrum@", "scrum:pw@"));
    try {
      expect(kb.iterations.all()).toEqual([]);
      process.kill(Number(pid), "SIGINT");
      Bun.spawnSync(["sh", "-c", `while kill -0 ${Number(pid)} 2>/dev/null; do sleep 0.1; done`]);
      let thrown: unknown;
      try {
        kb.iterations.all();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(Error);
      const said = explainIoFailure(thrown, { kb: url!.replace("scrum@", "scrum:pw@") } as Home);
      expect(said?.code).toBe(1);
      expect(said?.message).toMatch(/^the knowledge base postgres:\/\/scrum:\*\*\*@127\.0\.0\.1:\d+\/scrum stopped answering: .*reach or restart the PostgreSQL server/);
    } finally {
      kb.close();
      rmSync(dir!, { recursive: true, force: true });
    }
  });

  test("a server that cannot be reached is a usage error naming the KB, password hidden", () => {
    expect(() => new Kb("postgres://scrum:hunter2@127.0.0.1:1/nothing")).toThrow(/cannot use the knowledge base postgres:\/\/scrum:\*\*\*@127\.0\.0\.1:1\/nothing: .*start the PostgreSQL server/);
  });
});

// Said only where there is no server: the reason shows in the test log.
if (!pg) test.skip(`the KB on PostgreSQL: no PostgreSQL server (${postgresUnavailable})`, () => {});
