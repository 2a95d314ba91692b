/**
 * Workers sharing one iteration (`scrum run --workers --iteration-group NAME`): three real `scrum` processes on one KB
 * (a PostgreSQL database, and an SQLite file on one machine) pull files from the iteration's queue; one is killed with
 * SIGKILL while it holds a claim. Every file is reviewed and stored exactly once, the dead worker's claims are taken
 * over when their lease runs out, and the iteration's metrics equal a single process's sweep of the same tree.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hostname } from "node:os";
import { join } from "node:path";
import { Kb } from "../../kb/kb";
import { postgresKb } from "../kb/postgres-server";
import { finished, holdsClaim, sharedTree, spawnJob, until } from "./shared-kb";

const FILES = 24;
let tree: Awaited<ReturnType<typeof sharedTree>>;
let dir: string;

beforeAll(async () => {
  tree = await sharedTree("scrum-workers-", FILES, (i) => `def handler_${i}(event):\n    # TODO: validate event ${i}\n    return {"ok": True, "id": ${i}}\n`);
  dir = tree.dir;
});
afterAll(() => tree.stop());

const spawnScrum = (args: string[], kb: string) => spawnJob(dir, args, kb);

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
      await until(() => holdsClaim(group, victimName));
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
  test("--iteration-group without --workers or --partition, --workers without a group, --workers with --resume or --estimate: exit 2", async () => {
    const kb = join(dir, "flags.db");
    for (const [args, message] of [
      [["--iteration-group", "g"], /give --workers \(pull files from one queue\) or --partition K\/N/],
      [["--workers"], /--workers needs --iteration-group NAME/],
      [["--workers", "--partition", "1/2"], /--workers needs --iteration-group NAME/],
      [["--workers", "--iteration-group", "g", "--estimate"], /--workers --iteration-group with --estimate/],
      [["--partition", "1/2", "--iteration-group", "g", "--resume"], /--partition 1\/2 --iteration-group with --resume/],
    ] as const) {
      const r = await finished(spawnScrum(["run", "src", ...args], kb));
      expect([r.code, r.err]).toEqual([2, expect.stringMatching(message)]);
    }
  });
});
