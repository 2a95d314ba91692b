/**
 * Helpers of the tests where several real `scrum` processes share one KB (tests/e2e/workers.test.ts,
 * tests/e2e/partition-group.test.ts): spawn one, wait for it, wait until a worker holds a claim.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openEngine } from "../../kb/engine";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { rung } from "./harness";

const REPO = resolve(import.meta.dir, "../..");

/** bin/scrum in `cwd` on the KB `kb`, with claims that expire after one second. */
export function spawnJob(cwd: string, args: string[], kb: string) {
  return Bun.spawn([join(REPO, "bin/scrum"), ...args], {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, SCRUM_KB: kb, SCRUM_CONFIG: "", SCRUM_WORKER_LEASE_MS: "1000" },
  });
}

export async function finished(child: ReturnType<typeof spawnJob>): Promise<{ code: number; out: string; err: string }> {
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, out, err };
}

export async function until(what: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await Bun.sleep(20);
  }
}

/** Whether `worker` holds a claim on a file it has not stored; false while the KB has no queue yet. */
export function holdsClaim(kb: string, worker: string): boolean {
  try {
    const db = openEngine(kb);
    try {
      return (db.query(`SELECT count(*) AS n FROM work_queue WHERE worker = ? AND done_at IS NULL`).get(worker) as { n: number }).n > 0;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

/**
 * A checkout of `files` Python files under src/ (`text(i)` each) whose routing.toml has one rung on a simulated
 * server: slow enough (120 ms a call, one at a time) that every process holds claims for a while, fast enough for CI.
 */
export async function sharedTree(prefix: string, files: number, text: (i: number) => string): Promise<{ sim: SimServer; dir: string; stop: () => Promise<void> }> {
  const sim = await startSimServer({ behaviours: { reviewer: "good" }, latencyMs: 120 });
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, "src"), { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(join(dir, "src", `mod${String(i).padStart(2, "0")}.py`), text(i));
  mkdirSync(join(dir, ".scrum"));
  writeFileSync(join(dir, ".scrum/routing.toml"), rung("local", "ollama", sim.ollamaHost, "reviewer", "concurrency = 1"));
  return {
    sim,
    dir,
    stop: async () => {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
