/**
 * The loop as a user runs it, over a copy of a real repository (the corpus of scripts/corpus/, or any checkout):
 * a full offline sweep; flagged; fix two flagged files; `run --changed` reviews exactly those two; diff shows both
 * transitions and better state metrics and nothing else; a dismissed finding stays out of the next two iterations;
 * and on the simulated model server, a second sweep with no change makes no model call and costs nothing.
 * Every step is a real `bin/scrum` process; the script checks each claim and exits 1 when one does not hold.
 *
 *   bun scripts/runthrough.ts /work/corpus/ripgrep
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { startSimServer } from "./sim-server";

const source = process.argv[2];
if (!source) throw new TypeError("usage: bun scripts/runthrough.ts REPO_DIR");
const ROOT = resolve(import.meta.dir, "..");
const work = mkdtempSync(join(tmpdir(), "scrum-runthrough-"));
const repo = join(work, basename(resolve(source)));
cpSync(resolve(source), repo, { recursive: true });
rmSync(join(repo, ".scrum"), { recursive: true, force: true });
Bun.spawnSync(["git", "init", "-q", repo]);
let failures = 0;

async function scrum(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const child = Bun.spawn([join(ROOT, "bin/scrum"), ...args], { cwd: repo, stdout: "pipe", stderr: "pipe", env: { ...process.env, SCRUM_KB: "", SCRUM_CONFIG: "" } });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, out, err };
}
async function json<T>(...args: string[]): Promise<T> {
  const r = await scrum(...args, "--json", "--quiet");
  if (r.code !== 0) throw new Error(`scrum ${args.join(" ")} exited ${r.code}: ${r.err}`);
  return JSON.parse(r.out) as T;
}
function check(what: string, ok: boolean, detail = ""): void {
  console.log(`${ok ? "ok  " : "FAIL"}  ${what}${detail ? `: ${detail}` : ""}`);
  if (!ok) failures++;
}

interface Flagged { path: string; verdict: string; findings_count: number }
interface Finding { category: string; line_start: number; evidence_verified: number; dismissal_id: number | null }

try {
  const t = performance.now();
  const sweep = await json<{ files: { total: number }; metrics: Record<string, number> }>("run", ".", "--offline", "--label", "sweep-1");
  console.log(`sweep-1: ${sweep.files.total} files in ${((performance.now() - t) / 1000).toFixed(1)} s, ${sweep.metrics.findings_total} findings`);
  const flagged = await json<Flagged[]>("flagged");
  const passes = (await json<{ verdict: string }[]>("status")).filter((s) => s.verdict === "pass").length;
  check("flagged lists only files that need work", flagged.every((f) => f.verdict !== "pass"), `${flagged.length} flagged of ${sweep.files.total}; ${passes} clean files not listed`);
  for (const f of flagged) console.log(`      ${f.verdict.padEnd(11)} ${f.findings_count} finding(s)  ${f.path}`);
  if (flagged.length < 3) throw new Error(`the run-through needs three flagged files (two to fix, one to dismiss); ${source} has ${flagged.length}`);

  // Fix the two flagged files with the fewest findings: remove the lines the findings name.
  const fixes = [...flagged].sort((a, b) => a.findings_count - b.findings_count).slice(0, 2);
  for (const f of fixes) {
    const shown = await json<{ findings: Finding[] }>("show", f.path);
    const lines = new Set(shown.findings.filter((x) => x.category !== "verified_components" && x.evidence_verified).map((x) => x.line_start));
    const file = join(repo, f.path);
    writeFileSync(file, readFileSync(file, "utf8").split("\n").filter((_, i) => !lines.has(i + 1)).join("\n"));
    console.log(`      fixed ${f.path}: removed line(s) ${[...lines].join(", ")}`);
  }
  const changed = await json<{ iteration_id: number; files: { total: number } }>("run", "--changed", "--offline", "--label", "fix-1");
  const reviewed = (await json<{ path: string; iteration_id: number }[]>("status")).filter((s) => s.iteration_id === changed.iteration_id).map((s) => s.path).sort();
  check("run --changed reviews exactly the two fixed files", JSON.stringify(reviewed) === JSON.stringify(fixes.map((f) => f.path).sort()), reviewed.join(", "));

  const diff = await json<{ transitions: { path: string; from: string; to: string }[]; metrics: { name: string; delta: number; direction: string }[]; findings: { new: unknown[]; resolved: unknown[] } }>("diff");
  check("diff shows both transitions and no other", diff.transitions.length === 2 && diff.transitions.every((x) => x.to === "pass"), JSON.stringify(diff.transitions));
  const moved = diff.metrics.filter((m) => m.name.startsWith("state_") && m.delta !== 0);
  check("state metrics moved only for the better", moved.length > 0 && moved.every((m) => m.direction === "better"), moved.map((m) => `${m.name} ${m.delta > 0 ? "+" : ""}${m.delta}`).join(", "));
  check("no finding is new", diff.findings.new.length === 0, `${diff.findings.resolved.length} resolved`);

  // Dismiss every finding of the next flagged file; it stays out of the next two iterations.
  const target = flagged.find((f) => !fixes.includes(f))!;
  const findings = (await json<{ findings: Finding[] }>("show", target.path)).findings.filter((x) => x.category !== "verified_components" && x.evidence_verified);
  for (const f of findings) await json("dismiss", `${target.path}:${f.line_start}`, "--reason", "run-through: accepted as intended");
  check("a dismissed file leaves flagged at once", !(await json<Flagged[]>("flagged")).some((f) => f.path === target.path), target.path);
  for (const label of ["sweep-2", "sweep-3"]) {
    const r = await json<{ metrics: Record<string, number> }>("run", ".", "--offline", "--label", label);
    const stillOut = !(await json<Flagged[]>("flagged")).some((f) => f.path === target.path);
    check(`${label}: the dismissed findings stay out`, r.metrics.findings_dismissed === findings.length && stillOut, `findings_dismissed ${r.metrics.findings_dismissed}`);
  }

  // A model ladder on the simulated server: the second sweep with no change calls nothing and costs nothing.
  const sim = await startSimServer({ behaviours: { reviewer: "good" } });
  try {
    mkdirSync(join(repo, ".scrum"), { recursive: true });
    const config = join(repo, ".scrum/routing.toml");
    writeFileSync(config, `[[ladder]]\nname = "local"\nprovider = "ollama"\nmodel = "reviewer"\nhost = "${sim.ollamaHost}"\nconcurrency = 8\ncost_in_per_mtok = 0.15\ncost_out_per_mtok = 0.6\n`);
    const m1 = await json<{ metrics: Record<string, number> }>("run", ".", "--label", "model-1");
    const calls = sim.calls.length;
    const m2 = await json<{ metrics: Record<string, number> }>("run", ".", "--label", "model-2");
    check("model-1 asked the server", calls > 0 && m1.metrics.cost_usd! > 0, `${calls} calls, $${m1.metrics.cost_usd}`);
    check("model-2 with no change made no model call and cost 0", sim.calls.length === calls && m2.metrics.cost_usd === 0, `${sim.calls.length - calls} calls, $${m2.metrics.cost_usd}, ${m2.metrics.cached_shards} of ${m2.metrics.shards_total} shards cached`);
  } finally {
    await sim.stop();
  }
  console.log(failures === 0 ? "\nall checks hold" : `\n${failures} check(s) failed`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failures === 0 ? 0 : 1);
