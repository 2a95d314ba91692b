/**
 * Workers sharing one iteration (`scrum run --workers --iteration-group NAME`): three real `scrum` processes on one KB
 * (a PostgreSQL database, and an SQLite file on one machine) pull files from the iteration's queue; one is killed with
 * SIGKILL while it holds a claim. Every file is reviewed and stored exactly once, the dead worker's claims are taken
 * over when their lease runs out, and the iteration's metrics equal a single process's sweep of the same tree.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openEngine } from "../../kb/engine";
import { Kb } from "../../kb/kb";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { postgresKb } from "../kb/postgres-server";
import { rung } from "./harness";

const REPO = resolve(import.meta.dir, "../..");
const FILES = 24;
let sim: SimServer;
let dir: string;

beforeAll(async () => {
  // Slow enough that every worker holds claims for a while, fast enough for CI.
  sim = await startSimServer({ behaviours: { reviewer: "good" }, latencyMs: 120 });
  dir = mkdtempSync(join(tmpdir(), "scrum-workers-"));
  mkdirSync(join(dir, "src"), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    writeFileSync(join(dir, "src", `mod${String(i).padStart(2, "0")}.py`), `def handler_${i}(event):\n    # TODO: validate event ${i}\n    return {"ok": True, "id": ${i}}\n`);
  }
  mkdirSync(join(dir, ".scrum"));
  writeFileSync(join(dir, ".scrum/routing.toml"), rung("local", "ollama", sim.ollamaHost, "reviewer", "concurrency = 1"));
});
afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

function spawnScrum(args: string[], kb: string) {
  return Bun.spawn([join(REPO, "bin/scrum"), ...args], {
    cwd: dir,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, SCRUM_KB: kb, SCRUM_CONFIG: "", SCRUM_WORKER_LEASE_MS: "1000" },
  });
}

async function finished(child: ReturnType<typeof spawnScrum>) {
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, out, err };
}

async function until(what: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await Bun.sleep(20);
  }
}

/** The metrics of a KB's latest iteration, less its wall time (which no two runs share). */
function metricsOf(kb: string): Record<string, number | null> {
  const k = new Kb(kb);
  try {
    const { wall_ms: _, ...rest } = k.metrics.of(k.iterations.resolve("latest").id);
    return rest;
  } finally {
    k.close();
  }
}

const ENGINES: Array<[string, boolean, (name: string) => string]> = [
  ["SQLite file", true, (name) => join(dir, `${name}.db`)],
  ["PostgreSQL", postgresKb("probe") !== null, (name) => postgresKb(name)!],
];

describe("three workers on one iteration, one killed mid-run", () => {
  for (const [engine, available, locate] of ENGINES) {
    test.skipIf(!available)(`${engine}: every file stored once, the dead worker's claims taken over, metrics equal to one process`, async () => {
      const single = locate("single");
      const alone = await finished(spawnScrum(["run", "src", "--json", "--quiet"], single));
      expect(alone.code).toBe(0);

      const group = locate("group");
      const workers = [1, 2, 3].map(() => spawnScrum(["run", "src", "--workers", "--iteration-group", "nightly-1", "--json", "--quiet"], group));
      const victim = workers[0]!;
      const victimName = `${hostname()}:${victim.pid}`;
      // Kill the first worker while it holds a claim on a file it has not stored.
      await until(() => {
        try {
          const db = openEngine(group);
          try {
            return (db.query(`SELECT count(*) AS n FROM work_queue WHERE worker = ? AND done_at IS NULL`).get(victimName) as { n: number }).n > 0;
          } finally {
            db.close();
          }
        } catch {
          return false; // the queue is not there yet
        }
      });
      victim.kill(9);
      const results = await Promise.all(workers.slice(1).map(finished));
      for (const r of results) expect([r.code, r.err]).toEqual([0, ""]);
      const summaries = results.map((r) => JSON.parse(r.out) as { iteration_id: number; status: string; files: { total: number; reviewed: number } });
      for (const s of summaries) expect(s).toMatchObject({ iteration_id: 1, status: "done", files: { total: FILES, reviewed: FILES } });

      const kb = new Kb(group);
      try {
        const reviews = kb.reviews.inIteration(1);
        expect(reviews.length).toBe(FILES);
        expect(new Set(reviews.map((r) => r.path)).size).toBe(FILES);
        const queue = kb.queue.rows(1);
        expect(queue.length).toBe(FILES);
        expect(queue.every((q) => q.done_at !== null)).toBe(true);
        // The claim the dead worker held was taken over: claimed twice, stored by another worker.
        const takenOver = queue.filter((q) => q.claims >= 2);
        expect(takenOver.length).toBeGreaterThan(0);
        expect(takenOver.every((q) => q.worker !== victimName)).toBe(true);
        expect(kb.iterations.get(1)).toMatchObject({ status: "done", group_name: "nightly-1" });
      } finally {
        kb.close();
      }
      expect(metricsOf(group)).toEqual(metricsOf(single));

      // A worker arriving after the sweep finished reviews nothing and reports the group's iteration.
      const late = await finished(spawnScrum(["run", "src", "--workers", "--iteration-group", "nightly-1", "--json", "--quiet"], group));
      expect(late.code).toBe(0);
      expect(JSON.parse(late.out)).toMatchObject({ iteration_id: 1, status: "done" });
    }, 60_000);
  }
});

describe("worker flags", () => {
  test("--iteration-group without --workers, --workers without a group, --workers with --resume or --partition: exit 2", async () => {
    const kb = join(dir, "flags.db");
    for (const [args, message] of [
      [["--iteration-group", "g"], /give --workers with it/],
      [["--workers"], /--workers needs --iteration-group NAME/],
      [["--workers", "--iteration-group", "g", "--partition", "1/2"], /--workers with --partition/],
    ] as const) {
      const r = await finished(spawnScrum(["run", "src", ...args], kb));
      expect([r.code, r.err]).toEqual([2, expect.stringMatching(message)]);
    }
  });
});
