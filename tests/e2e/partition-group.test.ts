/**
 * Partitions into one iteration (`scrum run --partition K/N --iteration-group NAME`): three real `scrum` jobs on one KB
 * (a PostgreSQL database, and an SQLite file on one machine) review their shares into the group's one iteration. One
 * job is killed with SIGKILL while it holds a claim; the jobs whose share is stored exit 0 saying what is
 * outstanding, and the group's iteration stays unfinished until the killed job, re-run, takes over its share and
 * completes it. The iteration equals a single process's sweep of the same tree (files, verdicts, findings by
 * fingerprint, metrics), every file reviewed exactly once, each by the job of its share. A job asking for another N,
 * other targets or another config is refused with exit 2; the split is fixed by the first job, whatever the tree or
 * the KB become before the later jobs arrive.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { hostname } from "node:os";
import { join } from "node:path";
import { Kb } from "../../kb/kb";
import { assignShares, splitInput } from "../../pipeline/run/partition";
import { postgresKb } from "../kb/postgres-server";
import { finished, holdsClaim, sharedTree, spawnJob, until } from "./shared-kb";

const FILES = 24;
let tree: Awaited<ReturnType<typeof sharedTree>>;
let dir: string;

beforeAll(async () => {
  // Sizes differ, so a split by size is not a split by hash.
tree = await sharedTree("scrum-pgroup-", FILES, (i) => `def handler_${i}(event):\n    # TODO: validate event ${i}\n${"    pass\n".repeat(i % 7)}    return {"ok": True, "id": ${i}}\n`);
  dir = tree.dir;
});
afterAll(() => tree.stop());

const spawnScrum = (args: string[], kb: string) => spawnJob(dir, args, kb);

/** What a sweep found, comparable across KBs: every file's verdict, every finding by fingerprint, the metrics. */
function sweepOf(kb: string): { files: string[]; findings: string[]; metrics: Record<string, number | null> } {
  const k = new Kb(kb);
  try {
    const id = k.iterations.resolve("latest").id;
    const { wall_ms: _, ...metrics } = k.metrics.of(id);
    return {
      files: k.reviews.inIteration(id).map((r) => `${r.path} ${r.content_sha} ${r.verdict} ${r.findings_count}`).sort(),
      findings: k.findings.inIteration(id).map((f) => `${f.path} ${f.fingerprint} ${f.severity}`).sort(),
      metrics,
    };
  } finally {
    k.close();
  }
}

const job = (k: number, n = 3, group = "nightly-1", targets = ["src"]) => ["run", ...targets, "--partition", `${k}/${n}`, "--iteration-group", group, "--json", "--quiet"];
type Summary = { iteration_id: number; status: string; files: { total: number }; partition?: { partition: string; planned: number }; group?: { name: string; outstanding_files: number; outstanding_shares: number[] } };

const ENGINES: Array<[string, boolean, (name: string) => string]> = [
  ["SQLite file", true, (name) => join(dir, `${name}.db`)],
  ["PostgreSQL", postgresKb("probe") !== null, (name) => postgresKb(name)!],
];

describe("three partition jobs into one iteration, one killed mid-share", () => {
  for (const [engine, available, locate] of ENGINES) {
    test.skipIf(!available)(`${engine}: one iteration equal to a single sweep, each share by its job, the killed share taken over`, async () => {
      const single = locate("single");
      expect((await finished(spawnScrum(["run", "src", "--json", "--quiet"], single))).code).toBe(0);

      const group = locate("group");
      const jobs = [1, 2, 3].map((k) => spawnScrum(job(k), group));
      const victim = jobs[1]!;
      const victimName = `${hostname()}:${victim.pid}`;
      await until(() => holdsClaim(group, victimName));
      victim.kill(9);
      // Shares 1 and 3 are stored; share 2 is not: each job exits 0 and says so, and the iteration is not done.
      const others = await Promise.all([jobs[0]!, jobs[2]!].map(finished));
      for (const r of others) expect([r.code, r.err]).toEqual([0, ""]);
      for (const r of others) {
        // The one of them that finished first still saw the other's share outstanding too.
        const s = JSON.parse(r.out) as Summary;
        expect(s).toMatchObject({ iteration_id: 1, status: "running", partition: { planned: FILES }, group: { name: "nightly-1" } });
        expect(s.group!.outstanding_shares).toContain(2);
        expect(s.group!.outstanding_files).toBeGreaterThan(0);
      }
      const history = await finished(spawnScrum(["history", "--json"], group));
      expect(history.code).toBe(0);
      const [row] = JSON.parse(history.out) as Array<{ status: string; partition: string | null }>;
      expect(row!.status).not.toBe("done");
      expect(row!.partition).toBe("group nightly-1: 3 partitions");
      const text = await finished(spawnScrum(job(3).filter((a) => a !== "--json"), group));
      expect(text.code).toBe(0);
      expect(text.out).toMatch(/partition 3\/3 of group nightly-1: its share is stored; .* files? of share 2\/3 still outstanding/);

      // Job 2 again: it takes over the dead runner's claims once their lease ran out, and completes the iteration.
      const rerun = spawnScrum(job(2), group);
      const rerunName = `${hostname()}:${rerun.pid}`;
      const again = await finished(rerun);
      expect([again.code, again.err]).toEqual([0, ""]);
      expect(JSON.parse(again.out)).toMatchObject({ iteration_id: 1, status: "done", files: { total: FILES }, group: { outstanding_files: 0, outstanding_shares: [] } });

      const kb = new Kb(group);
      try {
        expect(kb.iterations.all().length).toBe(1);
        expect(kb.iterations.get(1)).toMatchObject({ status: "done", group_name: "nightly-1", partition: null });
        const reviews = kb.reviews.inIteration(1);
        expect(reviews.length).toBe(FILES);
        expect(new Set(reviews.map((r) => r.path)).size).toBe(FILES);
        // The split the first job fixed: a first sweep's, by a hash of the path; each file stored by its share's job.
        const queue = kb.queue.rows(1);
        const paths = queue.map((q) => q.path);
        const split = assignShares(splitInput(3, paths, false, () => undefined, () => 0));
        for (const q of queue) expect([q.path, Number(q.share)]).toEqual([q.path, split.get(q.path)!]);
        expect(queue.every((q) => q.done_at !== null)).toBe(true);
        const workers = new Map([[1, [`${hostname()}:${jobs[0]!.pid}`]], [2, [victimName, rerunName]], [3, [`${hostname()}:${jobs[2]!.pid}`]]]);
        for (const q of queue) expect(workers.get(Number(q.share))).toContain(q.worker!);
        const takenOver = queue.filter((q) => Number(q.claims) >= 2);
        expect(takenOver.length).toBeGreaterThan(0);
        expect(takenOver.every((q) => Number(q.share) === 2 && q.worker === rerunName)).toBe(true);
      } finally {
        kb.close();
      }
      const whole = sweepOf(single);
      expect(whole.findings.length).toBeGreaterThan(0);
      expect(sweepOf(group)).toEqual(whole);

      // A job arriving after the group is done reviews nothing and reports the group's iteration.
      const late = await finished(spawnScrum(job(1), group));
      expect(late.code).toBe(0);
      expect(JSON.parse(late.out)).toMatchObject({ iteration_id: 1, status: "done", partition: { partition: "1/3", planned: FILES }, group: { outstanding_files: 0 } });
    }, 90_000);
  }
});

describe("a job that does not belong to the group", () => {
  for (const [engine, available, locate] of ENGINES) {
    test.skipIf(!available)(`${engine}: another N, other targets, another config, --workers on a partitioned group: exit 2 naming both, nothing written`, async () => {
      const group = locate("refused");
      const first = await finished(spawnScrum(job(1, 3, "g"), group));
      expect(first.code).toBe(0);
      const before = sweepOf(group).files;
      for (const [args, message] of [
        [job(2, 2, "g"), /split into N=3 partitions; this job has --partition \?\/2 \(N=2\)/],
        [job(2, 3, "g", ["src/mod00.py"]), /reviews targets "src"; this job asks for "src\/mod00.py"/],
        [[...job(2, 3, "g"), "--offline"], /another config than this job's: .*offline: the group's false, this job's true/],
        [["run", "src", "--workers", "--iteration-group", "g", "--json"], /split into 3 partitions; this job has --workers and no --partition/],
      ] as const) {
        const r = await finished(spawnScrum([...args], group));
        expect([r.code, r.err]).toEqual([2, expect.stringMatching(message)]);
      }
      expect(sweepOf(group).files).toEqual(before);
      const k = new Kb(group);
      try {
        expect(k.queue.rows(1).filter((q) => q.done_at !== null).every((q) => Number(q.share) === 1)).toBe(true);
      } finally {
        k.close();
      }
    }, 60_000);
  }
});

describe("the split is fixed once, by the first job", () => {
  for (const [engine, available, locate] of ENGINES) {
    test.skipIf(!available)(`${engine}: jobs one after another, the tree changed in between: the first job's split by size, every share once`, async () => {
      const kb = locate("fixed");
      // An earlier sweep leaves a state: the split is by size.
      expect((await finished(spawnScrum(["run", "src", "--json", "--quiet"], kb))).code).toBe(0);
      const k0 = new Kb(kb);
      const recorded = k0.meta.diskStats();
      k0.close();
      const planned = Array.from({ length: FILES }, (_, i) => `src/mod${String(i).padStart(2, "0")}.py`);
      const expected = assignShares(splitInput(3, planned, true, (p) => recorded.get(p)?.size, () => 0));
      expect(new Set(expected.values()).size).toBe(3);

      const one = await finished(spawnScrum(job(1, 3, "fixed"), kb));
      expect(JSON.parse(one.out)).toMatchObject({ status: "running", group: { outstanding_shares: [2, 3] } });
      // A file added after the first job: a later job planning for itself would split differently.
      writeFileSync(join(dir, "src", "zz_late.py"), "x = 1\n".repeat(500));
      try {
        const three = await finished(spawnScrum(job(3, 3, "fixed"), kb));
        expect(JSON.parse(three.out)).toMatchObject({ status: "running", group: { outstanding_shares: [2] } });
        const two = await finished(spawnScrum(job(2, 3, "fixed"), kb));
        expect(JSON.parse(two.out)).toMatchObject({ iteration_id: 2, status: "done", files: { total: FILES } });
      } finally {
        rmSync(join(dir, "src", "zz_late.py"));
      }
      const k = new Kb(kb);
      try {
        const queue = k.queue.rows(2);
        expect(queue.map((q) => [q.path, Number(q.share)]).sort()).toEqual([...expected].sort());
        expect(k.reviews.inIteration(2).map((r) => r.path).sort()).toEqual(planned);
      } finally {
        k.close();
      }
    }, 90_000);
  }
});

describe("a job on another commit than the group's", () => {
  for (const [engine, available, locate] of ENGINES) {
    test.skipIf(!available)(`${engine}: exit 2 naming both commits, nothing written`, async () => {
      const repo = mkdtempSync(join(tmpdir(), "scrum-pgroup-git-"));
      try {
        mkdirSync(join(repo, "src"));
        for (const i of [1, 2, 3, 4]) writeFileSync(join(repo, "src", `m${i}.py`), `def f${i}(x):\n    return x\n`);
        const git = (...args: string[]) => Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo }).stdout.toString().trim();
        git("init", "-q");
        git("add", ".");
        git("commit", "-qm", "one");
        const first = git("rev-parse", "HEAD");
        const kb = locate("commits");
        const offline = (k: number) => ["run", "src", "--offline", "--partition", `${k}/2`, "--iteration-group", "c", "--json"];
        expect((await finished(spawnJob(repo, offline(1), kb))).code).toBe(0);
        writeFileSync(join(repo, "src", "m1.py"), "def f1(x):\n    return x + 1\n");
        git("commit", "-qam", "two");
        const second = git("rev-parse", "HEAD");
        const r = await finished(spawnJob(repo, offline(2), kb));
        expect([r.code, r.err]).toEqual([2, expect.stringContaining(`reviews commit ${first}; this checkout is at ${second}`)]);
        const k = new Kb(kb);
        try {
          expect(k.queue.rows(1).filter((q) => q.done_at !== null).every((q) => Number(q.share) === 1)).toBe(true);
          expect(k.iterations.get(1)!.status).toBe("running");
        } finally {
          k.close();
        }
      } finally {
        rmSync(repo, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
