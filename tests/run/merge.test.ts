/**
 * `scrum run --partition K/N` + `scrum kb merge` equal a single sweep: the same files, verdicts, findings by
 * fingerprint, attempts, state and metrics (wall time aside), on the demo repository, with the static rung and with a
 * model ladder on the simulated server; a first sweep (split by path hash) and a second one from a KB with a state
 * (split by recorded size). And every refusal writes nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { main } from "../../pipeline/cli/main";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { kbText, readEngine, rung } from "../e2e/harness";
import { isPostgresLocation } from "../../kb/engine";
import { ON_POSTGRES, postgresKb, testKb } from "../kb/postgres-server";

const REPO = resolve(import.meta.dir, "../..");
const DEMO = join(REPO, "examples/demo-repo");
const STATIC_ROUTING = '[[ladder]]\nname = "static"\nprovider = "static"\n\n[static]\nraise = ["stub-macro", "stub-raise", "stub-throw", "duplicate-import-redeclared"]\n';

let sim: SimServer;
let base: string;
beforeAll(async () => {
  sim = await startSimServer({ behaviours: { "small-thin": "thin", "big-good": "good" } });
  base = mkdtempSync(join(tmpdir(), "scrum-merge-"));
});
afterAll(() => {
  sim.stop();
  rmSync(base, { recursive: true, force: true });
});

/** A copy of the demo repository (its source files, not its .scrum/) with `routing` as its config. */
function demoCopy(name: string, routing: string): string {
  const dir = join(base, name);
  const walk = (from: string) => {
    for (const e of readdirSync(from, { withFileTypes: true })) {
      const abs = join(from, e.name);
      if (e.name === ".scrum") continue;
      if (e.isDirectory()) walk(abs);
      else {
        const to = join(dir, relative(DEMO, abs));
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(abs, to);
      }
    }
  };
  walk(DEMO);
  mkdirSync(join(dir, ".scrum"), { recursive: true });
  writeFileSync(join(dir, ".scrum/routing.toml"), routing);
  return dir;
}

async function scrum(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io = { out: (t: string) => void (out += `${t}\n`), err: (t: string) => void (err += t), errIsTty: false };
  const code = await main(argv, {}, io, cwd, new AbortController().signal);
  return { code, out, err };
}

/**
 * Under SCRUM_TEST_KB_ENGINE=postgres the KBs that keep the history (a single sweep's, the one merged into) are on
 * PostgreSQL; a partition's KB stays the file its job wrote, as `scrum kb merge` is used.
 */
const HISTORY_KBS = new Set(["single", "merged", "target", "twice", "partial"]);
/** Sweeps made so far: under PostgreSQL each sweep's KBs are new ones (a file would be copied over). */
let sweeps = 0;

/** The KB `name` of `dir`: `dir/name.db`, or for a history KB under SCRUM_TEST_KB_ENGINE=postgres a PostgreSQL KB. */
function kbIn(dir: string, name: string, tag = ""): string {
  const file = join(dir, `${name}.db`);
  return HISTORY_KBS.has(name) ? testKb(join(dir, `${tag}${name}.db`)) : file;
}

/** A copy of the KB `from` at `to` (a new file, or an empty PostgreSQL KB): the file copied, or `scrum kb export`. */
async function copyKb(dir: string, from: string, to: string): Promise<void> {
  if (!isPostgresLocation(from) && !isPostgresLocation(to)) return copyFileSync(from, to);
  if (from === to) return;
  if (!isPostgresLocation(to)) for (const suffix of ["", "-wal", "-shm"]) rmSync(`${to}${suffix}`, { force: true });
  const r = await scrum(dir, "--kb", from, "kb", "export", to);
  expect(r.code, r.err).toBe(0);
}

function rows(file: string, sql: string, ...params: Array<string | number>): Array<Record<string, unknown>> {
  const db = isPostgresLocation(file) ? readEngine(file) : new Database(file, { readonly: true });
  try {
    return db.query(sql).all(...params) as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

/** What must be equal between a single sweep and the merged partitions: everything but ids, timestamps and latencies. */
function snapshot(file: string, iteration: number) {
  const reviews = rows(file, `SELECT * FROM file_reviews WHERE iteration_id = ? ORDER BY path`, iteration).map(({ id: _i, created_at: _c, latency_ms: _l, ...r }) => r);
  const findings = rows(file, `SELECT * FROM findings WHERE iteration_id = ? ORDER BY fingerprint`, iteration).map(({ id: _i, ...r }) => r);
  const attempts = rows(file, `SELECT path, shard_index, rung, model, outcome, reason, tokens_in, tokens_out, cost_usd, purpose, prompt_sha FROM attempts WHERE iteration_id = ? ORDER BY path, shard_index, rung, outcome`, iteration);
  const state = rows(file, `SELECT * FROM state WHERE iteration_id = ? ORDER BY path`, iteration);
  const metrics = Object.fromEntries(rows(file, `SELECT name, value FROM metrics WHERE iteration_id = ? AND name <> 'wall_ms' ORDER BY name`, iteration).map((m) => [m.name, m.value]));
  const cache = rows(file, `SELECT prompt_sha, rung, model, verdict_json FROM shard_cache WHERE iteration_id = ? ORDER BY prompt_sha`, iteration);
  return { reviews, findings, attempts, state, metrics, cache };
}

/** Run a single sweep and N partitions from copies of `start` (or from nothing), merge the partitions; compare. */
async function sweepBothWays(dir: string, n: number, start: string | null, runArgs: string[]) {
  const tag = ON_POSTGRES ? `${++sweeps}-` : "";
  const kb = (name: string) => kbIn(dir, name, tag);
  for (const name of ["single", "merged", ...Array.from({ length: n }, (_, i) => `part${i + 1}`)]) {
    if (start !== null) await copyKb(dir, start, kb(name));
  }
  const single = await scrum(dir, "--kb", kb("single"), "run", ".", "--json", ...runArgs);
  expect(single.code, single.err).toBe(0);
  const shares: number[] = [];
  for (let k = 1; k <= n; k++) {
    const r = await scrum(dir, "--kb", kb(`part${k}`), "run", ".", "--partition", `${k}/${n}`, "--json", ...runArgs);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out);
    expect(summary.partition.partition).toBe(`${k}/${n}`);
    shares.push(summary.files.total);
  }
  const merged = await scrum(dir, "kb", "merge", ...Array.from({ length: n }, (_, i) => kb(`part${i + 1}`)), "--into", kb("merged"), "--json");
  expect(merged.code, merged.err).toBe(0);
  const m = JSON.parse(merged.out);
  const iteration = m.iteration_id as number;
  // The same base, so the merged iteration has the single sweep's id too.
  expect(rows(kb("single"), `SELECT max(id) AS id FROM iterations`)[0]!.id).toBe(iteration);
  return { single: snapshot(kb("single"), iteration), merged: snapshot(kb("merged"), iteration), shares, summary: m, singleSummary: JSON.parse(single.out), kb };
}

function expectEqual(a: ReturnType<typeof snapshot>, b: ReturnType<typeof snapshot>): void {
  expect(b.reviews.map((r) => r.path)).toEqual(a.reviews.map((r) => r.path));
  expect(b.reviews).toEqual(a.reviews);
  expect(b.findings.map((f) => f.fingerprint)).toEqual(a.findings.map((f) => f.fingerprint));
  expect(b.findings).toEqual(a.findings);
  expect(b.attempts).toEqual(a.attempts);
  expect(b.state).toEqual(a.state);
  expect(b.metrics).toEqual(a.metrics);
  expect(b.cache).toEqual(a.cache);
}

describe("partition + merge equals a single sweep (demo repository)", () => {
  test("static rung: a first sweep (split by path hash), then one from a KB with a state (split by recorded size)", async () => {
    const dir = demoCopy("static", STATIC_ROUTING);
    const first = await sweepBothWays(dir, 3, null, ["--offline"]);
    expect(first.single.reviews.length).toBeGreaterThan(8);
    expect(first.single.findings.length).toBeGreaterThan(3);
    expectEqual(first.single, first.merged);
    expect(first.shares.reduce((s, x) => s + x, 0)).toBe(first.single.reviews.length);
    const split = JSON.parse(rows(first.kb("part1"), `SELECT partition_json FROM iterations WHERE partition IS NOT NULL`)[0]!.partition_json as string);
    expect(split.basis).toBe("hash");

    // A fix and a new file, then the second sweep from the single sweep's KB: split by the sizes it recorded.
    writeFileSync(join(dir, "src/extra.py"), "def extra():\n    raise NotImplementedError('extra')\n");
    const second = await sweepBothWays(dir, 2, first.kb("single"), ["--offline"]);
    expectEqual(second.single, second.merged);
    const sized = JSON.parse(rows(second.kb("part2"), `SELECT partition_json FROM iterations WHERE partition IS NOT NULL`)[0]!.partition_json as string);
    expect(sized.basis).toBe("size");
    expect(sized.paths).toContain("src/extra.py");
    // The merged iteration says what it joined, and is finished: the append-only triggers refuse changing it.
    const it = rows(second.kb("merged"), `SELECT * FROM iterations WHERE id = ?`, second.summary.iteration_id)[0]!;
    expect(it.status).toBe("done");
    expect(it.partition).toBeNull();
    expect(JSON.parse(it.partition_json as string)).toMatchObject({ kind: "merged", count: 2, missing: [], unreviewed: [] });
    const db = isPostgresLocation(second.kb("merged")) ? readEngine(second.kb("merged")) : new Database(second.kb("merged"));
    try {
      expect(() => db.exec(`UPDATE file_reviews SET verdict = 'pass' WHERE iteration_id = ${second.summary.iteration_id}`)).toThrow(/append-only/);
      expect(() => db.exec(`UPDATE iterations SET label = 'x' WHERE id = ${second.summary.iteration_id}`)).toThrow(/append-only/);
      expect(() => db.exec(`INSERT INTO metrics (iteration_id, name, value) VALUES (${second.summary.iteration_id}, 'late', 1)`)).toThrow(/finished/);
    } finally {
      db.close();
    }
  }, 60_000);

  test("a model ladder on the simulated server (thin → good): the same attempts, escalations, findings and metrics", async () => {
    const routing = [rung("small", "ollama", sim.ollamaHost, "small-thin"), rung("big", "openai", sim.openaiBaseUrl, "big-good")].join("\n");
    const dir = demoCopy("sim", routing);
    const r = await sweepBothWays(dir, 3, null, []);
    expectEqual(r.single, r.merged);
    expect(r.single.metrics.escalations).toBeGreaterThan(0);
    expect(r.single.attempts.some((a) => a.outcome === "thin")).toBe(true);
    expect(r.single.findings.some((f) => f.rung === "big")).toBe(true);
    // The merge's summary counts model answers as the single run's does.
    expect(r.summary.model_answers).toEqual(r.singleSummary.model_answers);
    expect(r.summary.model_answers.accepted).toBeGreaterThan(0);
  }, 120_000);

  test("--changed: the partitions split the changed set, and the merge equals a single --changed run", async () => {
    const dir = demoCopy("changed", STATIC_ROUTING);
    const start = join(dir, "start.db");
    expect((await scrum(dir, "--kb", start, "run", ".", "--offline", "--quiet")).code).toBe(0);
    writeFileSync(join(dir, "src/report.py"), "def report():\n    return 1\n");
    writeFileSync(join(dir, "src/new.ts"), "export function later(): number {\n  throw new Error('not implemented');\n}\n");
    const kb = (name: string) => kbIn(dir, name);
    for (const name of ["single", "merged", "p1", "p2"]) await copyKb(dir, start, kb(name));
    expect((await scrum(dir, "--kb", kb("single"), "run", "--changed", "--offline")).code).toBe(0);
    const parts = [];
    for (const k of [1, 2]) {
      const r = await scrum(dir, "--kb", kb(`p${k}`), "run", "--changed", "--offline", "--partition", `${k}/2`, "--json");
      expect(r.code, r.err).toBe(0);
      parts.push(JSON.parse(r.out));
    }
    expect(parts.map((p) => p.partition.planned)).toEqual([2, 2]);
    expect(parts[0].files.total + parts[1].files.total).toBe(2);
    const m = await scrum(dir, "kb", "merge", kb("p1"), kb("p2"), "--into", kb("merged"), "--json");
    expect(m.code, m.err).toBe(0);
    expectEqual(snapshot(kb("single"), 2), snapshot(kb("merged"), 2));
  }, 60_000);
});

describe("kb merge refuses, writing nothing", () => {
  let dir: string;
  const kb = (name: string) => kbIn(dir, name);
  /** What a refused merge must leave as it was: the file's mtime, or every row of a PostgreSQL KB. */
  const untouched = (name: string) => (isPostgresLocation(kb(name)) ? kbText({ kb: kb(name) }) : statSync(kb(name)).mtimeMs);
  beforeAll(async () => {
    dir = demoCopy("refusals", STATIC_ROUTING);
    const runs: Array<[string, string[]]> = [
      ["a1", ["--partition", "1/2"]],
      ["a2", ["--partition", "2/2"]],
      ["b1", ["--partition", "1/3"]],
      ["a2again", ["--partition", "2/2"]],
      ["other1", ["--partition", "1/2", "src"]],
      ["whole", []],
    ];
    for (const [name, args] of runs) {
      const r = await scrum(dir, "--kb", kb(name), "run", ...(args.includes("src") ? [] : ["."]), "--offline", "--quiet", ...args);
      expect(r.code, r.err).toBe(0);
    }
    await copyKb(dir, kb("whole"), kb("target"));
  }, 60_000);

  const cases: Array<[string, string[], RegExp]> = [
    ["a different N", ["a1", "b1"], /different numbers of partitions/],
    ["a partition given twice", ["a1", "a2", "a2again"], /partition 2\/2 is given twice/],
    ["the same file twice", ["a1", "a1"], /given twice/],
    ["shares of different targets", ["other1", "a2"], /swept different targets|split from different inputs/],
    ["a KB with no partition", ["a1", "whole"], /holds no iteration of `scrum run --partition/],
    ["the target itself", ["a1", "target"], /is the KB merged into/],
  ];
  for (const [what, files, message] of cases) {
    test(what, async () => {
      const before = untouched("target");
      const iterations = rows(kb("target"), `SELECT count(*) AS n FROM iterations`)[0]!.n;
      const r = await scrum(dir, "kb", "merge", ...files.map(kb), "--into", kb("target"));
      expect(r.code, r.out).toBe(2);
      expect(r.err).toMatch(message);
      expect(rows(kb("target"), `SELECT count(*) AS n FROM iterations`)[0]!.n).toBe(iterations);
      expect(untouched("target")).toBe(before);
    });
  }

  test("a merge run twice: the second is refused, naming the iteration that holds the partitions", async () => {
    await copyKb(dir, kb("whole"), kb("twice"));
    expect((await scrum(dir, "kb", "merge", kb("a1"), kb("a2"), "--into", kb("twice"))).code).toBe(0);
    const iterations = rows(kb("twice"), `SELECT count(*) AS n FROM iterations`)[0]!.n;
    const again = await scrum(dir, "kb", "merge", kb("a1"), kb("a2"), "--into", kb("twice"));
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/partition 1\/2 \(started .*\) is already merged, as part of iteration 2/);
    expect(rows(kb("twice"), `SELECT count(*) AS n FROM iterations`)[0]!.n).toBe(iterations);
  });

  test("a partition still running is refused, naming how to finish it", async () => {
    copyFileSync(kb("a2"), kb("running"));
    const db = new Database(kb("running"));
    db.exec(`INSERT INTO iterations (label, status, started_at, config_json, targets_json, partition, partition_json) SELECT label, 'running', started_at, config_json, targets_json, partition, partition_json FROM iterations WHERE id = 1`);
    db.close();
    const r = await scrum(dir, "kb", "merge", kb("a1"), kb("running"), "--into", kb("fresh"));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is running, not done; finish it first/);
    expect(existsSync(kb("fresh"))).toBe(false);
  });

  test("--resume of an aborted partition finishes the files of its own share, not its whole targets", async () => {
    const share = rows(kb("a2"), `SELECT path FROM file_reviews WHERE iteration_id = 1 ORDER BY path`).map((x) => x.path);
    copyFileSync(kb("a2"), kb("resumed"));
    const db = new Database(kb("resumed"));
    db.exec(`INSERT INTO iterations (label, status, started_at, config_json, targets_json, partition, partition_json) SELECT 'again', 'running', started_at, config_json, targets_json, partition, partition_json FROM iterations WHERE id = 1`);
    // As a partition job that was interrupted leaves it.
    db.exec(`UPDATE iterations SET status = 'aborted', error = 'interrupted' WHERE id = 2`);
    db.close();
    const r = await scrum(dir, "--kb", kb("resumed"), "run", "--resume", "--offline", "--json");
    expect(r.code, r.err).toBe(0);
    expect(rows(kb("resumed"), `SELECT path FROM file_reviews WHERE iteration_id = 2 ORDER BY path`).map((x) => x.path)).toEqual(share);
    const refused = await scrum(dir, "--kb", kb("resumed"), "run", "--resume", "--offline", "--partition", "1/2");
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--partition 1\/2 with --resume/);
  });

  test("bad --partition values exit 2 with what is expected, and leave no KB behind", async () => {
    for (const bad of ["0/2", "3/2", "a/b", "1/0"]) {
      const r = await scrum(dir, "--kb", kb("never"), "run", ".", "--offline", "--partition", bad);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--partition expects K/N with 1 <= K <= N <= 1000`);
      expect(existsSync(kb("never"))).toBe(false);
    }
  });

  test.skipIf(postgresKb("probe") === null)("a partition job's KB on PostgreSQL merges as its file would", async () => {
    const share = postgresKb("share")!;
    expect((await scrum(dir, "--kb", share, "run", ".", "--offline", "--quiet", "--partition", "1/2")).code).toBe(0);
    const fromFiles = await scrum(dir, "kb", "merge", kb("a1"), kb("a2"), "--into", join(dir, "from-files.db"), "--json");
    const fromPostgres = await scrum(dir, "kb", "merge", share, kb("a2"), "--into", join(dir, "from-postgres.db"), "--json");
    expect(fromPostgres.code, fromPostgres.err).toBe(0);
    const paths = (file: string) => rows(file, `SELECT path, verdict FROM file_reviews ORDER BY path`);
    expect(paths(join(dir, "from-postgres.db"))).toEqual(paths(join(dir, "from-files.db")));
    expect(JSON.parse(fromPostgres.out).merged.missing).toEqual([]);
    expect(fromFiles.code).toBe(0);
  });

  test("a missing partition: merged, its files stored unreviewed (never a pass), said, and --fail-on trips", async () => {
    await copyKb(dir, kb("whole"), kb("partial"));
    const r = await scrum(dir, "kb", "merge", kb("a1"), "--into", kb("partial"), "--fail-on", "fail", "--json");
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/partition 2\/2 not given: \d+ files? no partition reviewed are stored as unreviewed/);
    const m = JSON.parse(r.out);
    expect(m.merged.missing).toEqual(["2/2"]);
    const share2 = rows(kb("a2"), `SELECT path FROM file_reviews`).map((x) => x.path).sort();
    expect([...m.merged.unreviewed].sort()).toEqual(share2);
    expect(m.files.unreviewed).toBe(share2.length);
    const stored = rows(kb("partial"), `SELECT path, verdict, error FROM file_reviews WHERE iteration_id = ? AND verdict = 'unreviewed' ORDER BY path`, m.iteration_id);
    expect(stored.map((x) => x.path)).toEqual(share2);
    expect(stored.every((x) => /partition 2\/2 was not merged/.test(x.error as string))).toBe(true);
    const history = await scrum(dir, "--kb", kb("partial"), "history");
    expect(history.out).toMatch(/\[merged 1 of 2, missing 2\/2\]/);
    const shareHistory = JSON.parse((await scrum(dir, "--kb", kb("a1"), "history", "--json")).out);
    expect(shareHistory.at(-1).partition).toBe("partition 1/2");
    // `scrum show` of such a file reads its stored review.
    const show = await scrum(dir, "--kb", kb("partial"), "show", share2[0] as string);
    expect(show.code, show.err).toBe(0);
    expect(show.out).toMatch(/unreviewed/);
  });
});
