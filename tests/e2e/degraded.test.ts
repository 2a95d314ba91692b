/**
 * Degraded is not progress (issue 18): a ladder `model → static` whose model server is down, or whose model answers
 * every shard thin, must not read as a clean sweep. Each file review records its reviewer; a degraded review never
 * replaces a model review in the state; `diff` compares like with like; the summary, `--json` and the exit code say
 * that no model answer was accepted; SARIF says the execution was not successful. bin/scrum as a process against the
 * simulated server, over both protocols.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSimServer, type SimServer } from "../../scripts/sim-server";
import { makeProject, rung, spawnScrum, type Project } from "./harness";

const FILES = { "src/auth.rs": "examples/demo-repo/src/auth.rs", "src/report.py": "examples/demo-repo/src/report.py" };
const STATIC = `[[ladder]]\nname = "static"\nprovider = "static"\nmodel = "static-heuristics"\n`;
/** Nothing listens here: every call is refused. */
const DEAD = "http://127.0.0.1:9";

let sim: SimServer;
const projects: Project[] = [];
beforeAll(async () => {
  sim = await startSimServer({ behaviours: { good: "good", lazy: "thin" } });
});
afterAll(async () => {
  for (const p of projects) p.cleanup();
  await sim.stop();
});

interface Summary {
  status: string;
  model_answers: { rungs: { rung: string; accepted: number; shards_sent: number }[]; accepted: number; degraded_files: number; none_accepted: boolean; warning: string | null } | null;
}

function ladder(protocol: "ollama" | "openai", where: "sim" | "dead", model: string): string {
  const url = where === "dead" ? (protocol === "ollama" ? DEAD : `${DEAD}/v1`) : protocol === "ollama" ? sim.ollamaHost : sim.openaiBaseUrl;
  return rung("local", protocol, url, model) + STATIC;
}

async function run(p: Project, ...argv: string[]): Promise<{ code: number; summary: Summary; err: string }> {
  const r = await spawnScrum(p.dir, ["run", "src", "--json", ...argv]);
  return { code: r.code, summary: JSON.parse(r.out) as Summary, err: r.err };
}

async function json<T>(p: Project, ...argv: string[]): Promise<T> {
  const r = await spawnScrum(p.dir, argv.includes("--format") ? argv : [...argv, "--json"]);
  if (r.code !== 0) throw new Error(`scrum ${argv.join(" ")} exited ${r.code}: ${r.err}`);
  return JSON.parse(r.out) as T;
}

function rows<T>(p: Project, sql: string): T[] {
  const db = p.db();
  try {
    return db.query(sql).all() as T[];
  } finally {
    db.close();
  }
}

for (const protocol of ["ollama", "openai"] as const) {
  describe(`model → static over ${protocol}`, () => {
    test("a dead model server on a fresh KB: exit 1, no model answer said everywhere, reviews recorded static_fallback with the reasons", async () => {
      const p = makeProject(FILES, ladder(protocol, "dead", "good"));
      projects.push(p);
      const { code, summary, err } = await run(p);
      expect(code).toBe(1);
      expect(summary.status).toBe("done");
      expect(summary.model_answers).toMatchObject({ accepted: 0, degraded_files: 2, none_accepted: true, rungs: [{ rung: "local", accepted: 0, shards_sent: 2 }] });
      // Said in full once on stderr (and in the summary), then the exit's reason in one line.
      expect(err.match(/no model answer was accepted: model rung local answered none of the 2 shards sent/g)).toHaveLength(1);
      expect(err.trimEnd().split("\n").at(-1)).toBe("scrum: exit 1: no model answer was accepted (the warning above says which rungs and what answered instead)");
      const reviews = rows<{ reviewer: string; degraded_reason: string }>(p, `SELECT reviewer, degraded_reason FROM file_reviews`);
      expect(reviews.map((r) => r.reviewer)).toEqual(["static_fallback", "static_fallback"]);
      expect(reviews.every((r) => /^rung local \(good\) error: /.test(r.degraded_reason))).toBe(true);
      const status = await json<{ degraded: boolean; reviewer: string }[]>(p, "status");
      expect(status.every((s) => s.degraded && s.reviewer === "static_fallback")).toBe(true);
      const sarif = await json<{ runs: { invocations: { executionSuccessful: boolean; toolExecutionNotifications: { message: { text: string } }[] }[] }[] }>(p, "report", "--format", "sarif");
      const invocation = sarif.runs[0]!.invocations[0]!;
      expect(invocation.executionSuccessful).toBe(false);
      expect(invocation.toolExecutionNotifications.map((n) => n.message.text).join("\n")).toMatch(/degraded review of src\/auth\.rs/);
      // Offline, the static rung would only say again what it said: --changed has nothing to review.
      const offline = await run(p, "--changed", "--offline");
      expect(offline.code).toBe(0);
      expect(offline.summary).toMatchObject({ iteration_id: null, status: "nothing_to_review" });
      expect(offline.err).not.toContain("reviewed again");
      // The server is back: --changed takes up the degraded files though their content did not change.
      writeFileSync(join(p.dir, ".scrum/routing.toml"), ladder(protocol, "sim", "good"));
      const back = await run(p, "--changed");
      expect(back.code).toBe(0);
      expect(back.err).toContain("--changed: 2 unchanged files are reviewed again: no model answered them last time (degraded)");
      expect(back.summary.model_answers).toMatchObject({ accepted: 2, degraded_files: 0, none_accepted: false });
      const now = await json<{ degraded: boolean; reviewer: string; iteration_id: number }[]>(p, "status");
      expect(now.map((s) => [s.reviewer, s.degraded, s.iteration_id])).toEqual([["model", false, 2], ["model", false, 2]]);
    });

    test("after a model sweep, a dead server changes nothing in the state: no transition, nothing resolved, the model review kept", async () => {
      const p = makeProject(FILES, ladder(protocol, "sim", "good"));
      projects.push(p);
      const first = await run(p);
      expect(first.code).toBe(0);
      expect(first.summary.model_answers).toMatchObject({ accepted: 2, degraded_files: 0, none_accepted: false, warning: null });
      expect(rows<{ reviewer: string }>(p, `SELECT reviewer FROM file_reviews`).map((r) => r.reviewer)).toEqual(["model", "model"]);
      const before = await json<{ verdict: string; findings_count: number }[]>(p, "status");

      writeFileSync(join(p.dir, ".scrum/routing.toml"), ladder(protocol, "dead", "good"));
      const second = await run(p, "--no-cache");
      expect(second.code).toBe(1);
      expect(second.summary.model_answers?.none_accepted).toBe(true);
      // The state keeps iteration 1's model review of each file, marked degraded.
      const state = rows<{ from_iteration_id: number; reviewer: string; degraded: number }>(p, `SELECT from_iteration_id, reviewer, degraded FROM state WHERE iteration_id = 2`);
      expect(state).toEqual([
        { from_iteration_id: 1, reviewer: "model", degraded: 1 },
        { from_iteration_id: 1, reviewer: "model", degraded: 1 },
      ]);
      const after = await json<{ verdict: string; findings_count: number; degraded: boolean }[]>(p, "status");
      expect(after.map(({ verdict, findings_count }) => ({ verdict, findings_count }))).toEqual(before.map(({ verdict, findings_count }) => ({ verdict, findings_count })));
      expect(after.every((s) => s.degraded)).toBe(true);
      const html = join(p.dir, "d.html");
      expect((await spawnScrum(p.dir, ["dashboard", "--out", html])).code).toBe(0);
      expect(readFileSync(html, "utf8")).toMatch(/Degraded reviews <span class="count">2<\/span>/);

      type Diff = { transitions: unknown[]; findings: { resolved: unknown[] }; reviewers_differ: { path: string; from: string; to: string }[]; degraded: string[] };
      const diff = await json<Diff>(p, "diff");
      expect(diff.transitions).toEqual([]);
      expect(diff.findings.resolved).toEqual([]);
      expect(diff.degraded).toEqual(["src/auth.rs", "src/report.py"]);
      const own = await json<Diff>(p, "diff", "1", "2", "--scope", "iteration");
      expect(own.transitions).toEqual([]);
      expect(own.findings.resolved).toEqual([]);
      expect(own.reviewers_differ).toEqual([
        { path: "src/auth.rs", from: "model", to: "static_fallback" },
        { path: "src/report.py", from: "model", to: "static_fallback" },
      ]);
    });

    test("answers from the cache do not hide a dead server: the one changed file's shard got no model answer, exit 1", async () => {
      const p = makeProject(FILES, ladder(protocol, "sim", "good"));
      projects.push(p);
      expect((await run(p)).code).toBe(0);
      writeFileSync(join(p.dir, "src/report.py"), `${readFileSync(join(p.dir, "src/report.py"), "utf8")}\n# rendered by the caller\n`);
      writeFileSync(join(p.dir, ".scrum/routing.toml"), ladder(protocol, "dead", "good"));
      const { code, summary } = await run(p);
      expect(code).toBe(1);
      expect(summary.model_answers).toMatchObject({ accepted: 0, shards_sent: 1, none_accepted: true, degraded_files: 1, rungs: [{ rung: "local", accepted: 0, cached: 1, shards_sent: 1 }] });
    });

    test("a model that answers every shard thin: exit 1 and zero accepted model answers, not a silent 0", async () => {
      const p = makeProject(FILES, ladder(protocol, "sim", "lazy"));
      projects.push(p);
      const { code, summary } = await run(p);
      expect(code).toBe(1);
      expect(summary.model_answers).toMatchObject({ accepted: 0, none_accepted: true, rungs: [{ rung: "local", accepted: 0, shards_sent: 2 }] });
      expect(rows<{ outcome: string }>(p, `SELECT outcome FROM attempts WHERE rung = 'local'`).every((a) => a.outcome === "thin")).toBe(true);
    });
  });
}

describe("a ladder of the static rung only", () => {
  test("--offline: reviewer static, no model answers to count, exit 0", async () => {
    const p = makeProject(FILES, ladder("ollama", "dead", "good"));
    projects.push(p);
    const { code, summary } = await run(p, "--offline");
    expect(code).toBe(0);
    expect(summary.model_answers).toBeNull();
    expect(rows<{ reviewer: string }>(p, `SELECT reviewer FROM file_reviews`).map((r) => r.reviewer)).toEqual(["static", "static"]);
    const sarif = await json<{ runs: { invocations: { executionSuccessful: boolean }[] }[] }>(p, "report", "--format", "sarif");
    expect(sarif.runs[0]!.invocations[0]!.executionSuccessful).toBe(true);
  });
});
