/**
 * The loop a user runs, end to end on a copy of the demo repository: sweep, flagged, fix two files, run --changed,
 * diff, dismiss; and against the simulated server, a sweep with no change that calls no model and costs nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { main } from "../../pipeline/cli/main";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { DEMO_SOURCE, EXPECTED_VERDICTS } from "./demo-expected";
import { makeProject, rung, type Project } from "./harness";

let repo: string;

async function scrum(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io = { out: (t: string) => void (out += `${t}\n`), err: (t: string) => void (err += t), errIsTty: false };
  const code = await main(argv, {}, io, repo, new AbortController().signal);
  return { code, out, err };
}
const json = async (...argv: string[]) => {
  const r = await scrum(...argv, "--json");
  if (r.code !== 0) throw new Error(`scrum ${argv.join(" ")} exited ${r.code}: ${r.err}`);
  return JSON.parse(r.out);
};
const db = () => new Database(join(repo, ".scrum/scrum.db"), { readonly: true });

beforeAll(() => {
  repo = join(mkdtempSync(join(tmpdir(), "scrum-loop-")), "repo");
  cpSync(DEMO_SOURCE, repo, { recursive: true });
  Bun.spawnSync(["git", "init", "-q", repo]);
});
afterAll(() => rmSync(join(repo, ".."), { recursive: true, force: true }));

describe("the loop over a copy of the demo repository (offline)", () => {
  const needsWork = [...EXPECTED_VERDICTS].filter(([, v]) => v !== "pass").map(([p]) => p).sort();

  test("a full sweep: flagged lists only the files that need work, not clean files at tier review", async () => {
    expect((await scrum("run", ".", "--offline", "--label", "iter-1", "--quiet")).code).toBe(0);
    const flagged = (await json("flagged")) as { path: string; stale: boolean; iteration_id: number }[];
    expect(flagged.map((f) => f.path).sort()).toEqual(needsWork);
    expect(flagged.every((f) => f.iteration_id === 1 && f.stale === false)).toBe(true);
    // The clean files are still there, as passes at tier review, for whoever asks.
    const wide = (await json("flagged", "--include", "review")) as { path: string }[];
    expect(wide.length).toBeGreaterThan(flagged.length);
  });

  test("fix a flagged file and an informational finding: run --changed reviews exactly those two; diff shows the transition and a better state", async () => {
    const readme = join(repo, "README.md");
    writeFileSync(readme, readFileSync(readme, "utf8").replace(/^.*!!!.*$/m, "Run `make serve` to start the billing service."));
    const report = join(repo, "src/report.py");
    writeFileSync(
      report,
      readFileSync(report, "utf8")
        .replace(/^\s*# TODO: pick a PDF library.*\n/m, "")
        .replace(/raise NotImplementedError/, "return render_text(lines).encode()"),
    );
    const status = (await json("status")) as { path: string; stale: boolean }[];
    // Staleness is read from the disk: the two edited files are stale before any run.
    expect(status.filter((s) => s.stale).map((s) => s.path)).toEqual(["README.md", "src/report.py"]);
    const run = await json("run", "--changed", "--offline", "--label", "iter-2");
    expect(run.files.total).toBe(2);
    const reviewed = (db().prepare(`SELECT path FROM file_reviews WHERE iteration_id = 2 ORDER BY path`).all() as { path: string }[]).map((r) => r.path);
    expect(reviewed).toEqual(["README.md", "src/report.py"]);
    const d = await json("diff");
    expect(d.scope).toBe("state");
    // README.md's placeholder was informational (it never made the file needs_patch): its fix resolves a finding, no verdict.
    expect(d.transitions).toEqual([{ path: "src/report.py", from: "needs_patch", to: "pass" }]);
    const m = Object.fromEntries((d.metrics as { name: string; delta: number; direction: string }[]).map((x) => [x.name, x]));
    expect(m.state_files).toMatchObject({ delta: 0, direction: "same" });
    expect(m.state_pass).toMatchObject({ delta: 1, direction: "better" });
    expect(m.state_needs_patch).toMatchObject({ delta: -1, direction: "better" });
    expect(m.state_findings_total!.direction).toBe("better");
    // A partial run is no collapse: no iteration-scope verdict counts in the state diff at all.
    expect(m.verdict_pass).toBeUndefined();
    expect(d.findings.resolved.map((f: { path: string }) => f.path).sort()).toEqual(["README.md", "src/report.py", "src/report.py"]);
    expect(d.findings.new).toEqual([]);
    // The iteration report of the --changed run holds its two files; the state report every file, for upload.
    expect((await json("report", "--format", "json")).files.map((f: { path: string }) => f.path)).toEqual(["README.md", "src/report.py"]);
    const state = await json("report", "--scope", "state", "--format", "json");
    expect(state.scope).toBe("state");
    expect(state.files).toHaveLength(EXPECTED_VERDICTS.size);
    expect(state.files.find((f: { path: string }) => f.path === "src/auth.rs").findings.length).toBeGreaterThan(0);
    const sarif = JSON.parse((await scrum("report", "--scope", "state", "--format", "sarif")).out);
    expect(sarif.runs[0].automationDetails.id).toMatch(/^scrumloop\/\.\/iter-2$/);
    // Nothing changed since: --changed says so and starts no iteration.
    const again = await scrum("run", "--changed", "--offline");
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/nothing changed since its last review in \.; /);
    // From another folder of the repository, "." is named as the root's, not that folder.
    let inSrc = "";
    const code = await main(["run", "--changed", "--offline"], {}, { out: () => {}, err: (t: string) => void (inSrc += t), errIsTty: false }, join(repo, "src"), new AbortController().signal);
    expect(code).toBe(0);
    expect(inSrc).toContain(`nothing changed since its last review in . (paths from the repository root, ${repo}); `);
    expect((await json("history")).length).toBe(2);
  });

  test("a dismissed finding stays out of flagged and of the next two iterations while its fingerprint persists", async () => {
    const ingest = (await json("show", "src/ingest.ts")).findings.filter((f: { category: string }) => f.category !== "verified_components");
    for (const f of ingest) {
      const r = await scrum("dismiss", `src/ingest.ts:${f.line_start}`, "--reason", "intended: best-effort warm-up, the duplicate is a type re-export");
      expect(r.code).toBe(0);
    }
    expect(((await json("flagged")) as { path: string }[]).map((f) => f.path)).not.toContain("src/ingest.ts");
    // The file changes elsewhere: its re-review keeps the dismissed findings out (they are recorded, not counted).
    appendFileSync(join(repo, "src/ingest.ts"), "\n// warm-up is best effort by design\n");
    const three = await json("run", "--changed", "--offline", "--label", "iter-3");
    expect(three.metrics.findings_dismissed).toBe(ingest.length);
    const four = await json("run", ".", "--offline", "--label", "iter-4");
    expect(four.metrics.findings_dismissed).toBe(ingest.length);
    const row = db().prepare(`SELECT verdict FROM file_reviews WHERE iteration_id = 4 AND path = 'src/ingest.ts'`).get() as { verdict: string };
    expect(row.verdict).toBe("pass");
    expect(((await json("flagged")) as { path: string }[]).map((f) => f.path)).not.toContain("src/ingest.ts");
    const list = (await json("dismiss", "--list")) as { undone_at: string | null }[];
    expect(list).toHaveLength(ingest.length);
  });

  test("a note on a path no file has is refused, naming what the KB knows", async () => {
    const r = await scrum("note", "add", "src/auht.rs", "journal call");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no file the KB has reviewed and does not exist/);
    expect((await scrum("note", "add", "src/auth.rs", "journal call")).code).toBe(0);
  });
});

describe("a sweep with no change calls no model (simulated server)", () => {
  let sim: SimServer;
  let project: Project;
  beforeAll(async () => {
    sim = await startSimServer({ behaviours: { reviewer: "good" } });
    project = makeProject(
      { "src/auth.rs": "examples/demo-repo/src/auth.rs", "src/report.py": "examples/demo-repo/src/report.py", "src/pipeline.ts": "examples/demo-repo/src/pipeline.ts" },
      rung("local", "ollama", sim.ollamaHost, "reviewer", "cost_in_per_mtok = 1.0\ncost_out_per_mtok = 2.0"),
    );
  });
  afterAll(async () => {
    project.cleanup();
    await sim.stop();
  });

  test("the second sweep answers every shard from the KB: cached attempts, zero cost, no request; a changed shard is asked again", async () => {
    const first = await project.scrum("run", "src", "--json");
    expect(first.code).toBe(0);
    const calls = sim.calls.length;
    expect(calls).toBeGreaterThan(3);
    expect(JSON.parse(first.out).metrics.cost_usd).toBeGreaterThan(0);
    const second = JSON.parse((await project.scrum("run", "src", "--json")).out);
    expect(sim.calls.length).toBe(calls);
    expect(second.metrics).toMatchObject({ cost_usd: 0, tokens_in: 0, cached_shards: second.metrics.shards_total });
    // --estimate agrees before a run: every shard cached, nothing to send.
    const estimate = JSON.parse((await project.scrum("run", "src", "--estimate", "--json")).out);
    expect(estimate.rungs[0]).toMatchObject({ cached: estimate.shards, tokens_in: 0 });
    // One changed function: only its shard goes out again.
    const file = join(project.dir, "src/pipeline.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace('throw new Error("not implemented");', 'throw new Error("monthly rollup is not wired yet");'));
    const third = JSON.parse((await project.scrum("run", "src", "--json")).out);
    expect(sim.calls.length).toBe(calls + 1);
    expect(third.metrics.cached_shards).toBe(third.metrics.shards_total - 1);
    // --no-cache asks again.
    await project.scrum("run", "src/report.py", "--no-cache", "--quiet");
    expect(sim.calls.length).toBeGreaterThan(calls + 1);
  });
});
