/**
 * A crash loses nothing and strands nothing: real `scrum run` processes killed with SIGKILL at several points, then
 * taken over with --resume; a second process is refused while the first lives; a KB that is not ours is left alone.
 * Under SCRUM_TEST_KB_ENGINE=postgres the kills and the two processes run on a PostgreSQL KB.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { rung } from "./harness";
import { openEngine } from "../../kb/engine";
import { ON_POSTGRES, testKb } from "../kb/postgres-server";

const REPO = resolve(import.meta.dir, "../..");
const FILES = 24;
let sim: SimServer;
let dir: string;

beforeAll(async () => {
  // Slow enough that a sweep is mid-way for a while, fast enough for CI.
  sim = await startSimServer({ behaviours: { reviewer: "good" }, latencyMs: 60 });
  dir = mkdtempSync(join(tmpdir(), "scrum-crash-"));
  mkdirSync(join(dir, "src"), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    writeFileSync(join(dir, "src", `mod${String(i).padStart(2, "0")}.py`), `def handler_${i}(event):\n    # TODO: validate event ${i}\n    return {"ok": True, "id": ${i}}\n`);
  }
  mkdirSync(join(dir, ".scrum"));
  writeFileSync(join(dir, ".scrum/routing.toml"), rung("local", "ollama", sim.ollamaHost, "reviewer", "concurrency = 2"));
});
afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

function spawnScrum(args: string[], kb: string) {
  return Bun.spawn([join(REPO, "bin/scrum"), ...args, "--kb", kb, "--quiet"], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: "", SCRUM_CONFIG: "" } });
}

/** A whole command, awaited without blocking: the simulated server answers from this same process. */
async function run(args: string[], kb: string) {
  const child = Bun.spawn([join(REPO, "bin/scrum"), ...args, "--kb", kb], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: "", SCRUM_CONFIG: "" } });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, out, err };
}

function rowsOf(kb: string): number {
  try {
    const db = openEngine(kb);
    try {
      return (db.query(`SELECT count(*) AS n FROM file_reviews`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet
  }
}

async function until(what: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await Bun.sleep(20);
  }
}

describe("kill -9 mid-sweep, then --resume", () => {
  for (const killAfter of [0, 3, 11, 20]) {
    test(`killed after ${killAfter} file rows: resume completes, every target has exactly one row, no attempt of a finished file is lost`, async () => {
      // The server answers `killAfter` calls and then hangs, so the process is surely mid-sweep when it dies.
      const port = freePort();
      const first = await startSimServer({ port, behaviours: { reviewer: [...Array<"good">(killAfter).fill("good"), "hang"] } });
      const kb = testKb(join(dir, `kill-${killAfter}.db`));
      const config = join(dir, `kill-${killAfter}.toml`);
      writeFileSync(config, rung("local", "ollama", `http://127.0.0.1:${port}`, "reviewer", "concurrency = 2\ntimeout_s = 120"));
      const child = spawnScrum(["run", "src", "--label", `kill-${killAfter}`, "--config", config], kb);
      await until(() => iterationStarted(kb) && rowsOf(kb) >= killAfter);
      child.kill("SIGKILL");
      await child.exited;
      await first.stop();
      expect(rowsOf(kb)).toBe(killAfter);
      const history = JSON.parse((await run(["history", "--json"], kb)).out) as { status: string }[];
      expect(history[0]!.status).toBe("stale");
      // The server is back (same address, as the stored config has it) and answers.
      const second = await startSimServer({ port, behaviours: { reviewer: "good" } });
      try {
        const resumed = await run(["run", "--resume", "--json"], kb);
        expect(resumed.code).toBe(0);
        expect(JSON.parse(resumed.out)).toMatchObject({ iteration_id: 1, status: "done" });
      } finally {
        await second.stop();
      }
      const db = openEngine(kb);
      const stats = db.query(`SELECT count(*) AS n, count(DISTINCT path) AS paths FROM file_reviews WHERE iteration_id = 1`).get() as { n: number; paths: number };
      const orphans = db.query(`SELECT count(*) AS n FROM file_reviews r WHERE r.verdict <> 'skipped' AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.iteration_id = r.iteration_id AND a.path = r.path)`).get() as { n: number };
      const status = (db.query(`SELECT status FROM iterations WHERE id = 1`).get() as { status: string }).status;
      db.close();
      expect(stats).toEqual({ n: FILES, paths: FILES });
      expect(orphans.n).toBe(0);
      expect(status).toBe("done");
    }, 60_000);
  }
});

function freePort(): number {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = s.port!;
  s.stop(true);
  return port;
}

function iterationStarted(kb: string): boolean {
  try {
    const db = openEngine(kb);
    try {
      return (db.query(`SELECT count(*) AS n FROM iterations`).get() as { n: number }).n > 0;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

describe("two processes on one KB", () => {
  test("a second --resume of a live iteration is refused naming its holder; history reads while a run writes; abort marks a stale one", async () => {
    const kb = testKb(join(dir, "two.db"));
    // A server that never answers within the test: the first run is surely still going while the others act.
    const stuck = await startSimServer({ behaviours: { reviewer: "hang" } });
    const config = join(dir, "stuck.toml");
    writeFileSync(config, rung("local", "ollama", stuck.ollamaHost, "reviewer", "timeout_s = 120"));
    const child = spawnScrum(["run", "src", "--label", "live", "--config", config], kb);
    await until(() => iterationStarted(kb));
    const second = await run(["run", "--resume", "live"], kb);
    expect(second.code).toBe(2);
    expect(second.err).toMatch(new RegExp(`iteration 1 is running in pid ${child.pid} on host`));
    // A reader while the run holds the KB open: never "database is locked".
    const history = await run(["history", "--json"], kb);
    expect(history.code).toBe(0);
    expect(JSON.parse(history.out)[0]).toMatchObject({ status: "running", pid: child.pid });
    expect((await run(["abort", "live"], kb)).code).toBe(2);
    child.kill("SIGKILL");
    await child.exited;
    const aborted = await run(["abort", "live", "--json"], kb);
    expect(aborted.code).toBe(0);
    expect(JSON.parse(aborted.out)).toMatchObject({ id: 1, status: "aborted" });
    expect(JSON.parse((await run(["history", "--json"], kb)).out)[0]).toMatchObject({ status: "aborted" });
    await stuck.stop();
  }, 60_000);
});

// Files that are not scrum's KB: SQLite's concern (a PostgreSQL KB's own checks are tests/kb/engines.test.ts's).
describe.skipIf(ON_POSTGRES)("a KB that is not ours is refused and left untouched", () => {
  test("not an SQLite file", async () => {
    const kb = join(dir, "notes.db");
    writeFileSync(kb, "these are my notes, not a database\n".repeat(50));
    const before = readFileSync(kb);
    const r = await run(["history"], kb);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not a scrum knowledge base \(not an SQLite file\)/);
    expect(readFileSync(kb).equals(before)).toBe(true);
  });

  test("from a newer schema version", async () => {
    const kb = join(dir, "future.db");
    const db = new Database(kb, { create: true });
    db.exec("CREATE TABLE iterations (id INTEGER PRIMARY KEY); PRAGMA user_version = 99;");
    db.close();
    const before = readFileSync(kb);
    const mtime = statSync(kb).mtimeMs;
    const r = await run(["history"], kb);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/schema version 99, newer than this scrum knows/);
    expect(readFileSync(kb).equals(before)).toBe(true);
    expect(statSync(kb).mtimeMs).toBe(mtime);
  });
});
