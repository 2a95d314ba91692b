/**
 * The injection check over a checked-out repository, offline: every file `scrum run` would review, each hit printed as
 * a finding (addresses a reader; RAISED when it is of the strong class, which is `high` by default) or held (text the
 * program handles), with the totals and the time taken. Used to judge precision on repositories of LLM tooling, where
 * attack strings are common (docs/SECURITY.md).
 *
 *   bun scripts/bench-injection.ts DIR [--json]
 *
 * Set SCRUM_INJECTION_MODULE to another copy of pipeline/review/injection.ts (an older commit unpacked with
 * `git archive`) to measure it on the same files; a module without `scanInjections` is called as `findInjections`.
 */
import { relative, resolve } from "node:path";
import { defaultConfig } from "../pipeline/config/config";
import { collectTargets, readTarget } from "../pipeline/targets/targets";
import { languageOf } from "../pipeline/shard/shard";

interface Row {
  path: string;
  line: number;
  kind: "finding" | "held";
  /** A finding's severity under the shipped defaults: `high` is the strong class, which raises the verdict. */
  severity?: string;
  what: string;
  text: string;
}

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith("--"));
if (!dir) {
  console.error("usage: bun scripts/bench-injection.ts DIR [--json]");
  process.exit(2);
}
const root = resolve(dir);
const modulePath = process.env.SCRUM_INJECTION_MODULE ? resolve(process.env.SCRUM_INJECTION_MODULE) : "../pipeline/review/injection";
const checker = (await import(modulePath)) as {
  scanInjections?: (path: string, language: string, text: string) => Promise<{ findings: Array<{ line_start: number; title: string; evidence: string; severity?: string }>; handled: Array<{ line: number; reason: string; intent: string }> }>;
  findInjections: (language: string, text: string) => Promise<Array<{ line_start: number; title: string; evidence: string }>>;
};

const config = defaultConfig();
const started = performance.now();
const rows: Row[] = [];
let files = 0;
for (const abs of collectTargets([root], { cwd: root, sweep: config.sweep })) {
  const target = readTarget(abs, root, config.sweep.maxFileBytes, { skipVendored: config.sweep.skipVendored });
  if (target.kind !== "source") continue;
  files++;
  const path = relative(root, abs);
  const language = languageOf(path);
  if (checker.scanInjections) {
    const scan = await checker.scanInjections(path, language, target.text);
    for (const f of scan.findings) rows.push({ path, line: f.line_start, kind: "finding", severity: f.severity, what: f.title, text: f.evidence });
    for (const h of scan.handled) rows.push({ path, line: h.line, kind: "held", what: `${h.reason}: ${h.intent}`, text: target.text.split("\n")[h.line - 1]?.trim().slice(0, 160) ?? path });
  } else {
    for (const f of await checker.findInjections(language, target.text)) rows.push({ path, line: f.line_start, kind: "finding", what: f.title, text: f.evidence });
  }
}
const ms = Math.round(performance.now() - started);
const findings = rows.filter((r) => r.kind === "finding");
const raised = findings.filter((r) => r.severity === "high");
const heldFiles = new Set(rows.filter((r) => r.kind === "held").map((r) => r.path));
if (args.includes("--json")) console.log(JSON.stringify({ files, findings: findings.length, raised: raised.length, held_files: heldFiles.size, ms, rows }, null, 2));
else {
  const label = (r: Row) => (r.kind === "held" ? "held   " : r.severity === "high" ? "RAISED " : "FINDING");
  for (const r of rows) console.log(`${label(r)} ${r.path}:${r.line}  ${r.what}\n        ${r.text}`);
  console.log(`${files} files, ${findings.length} findings (${raised.length} raised), ${heldFiles.size} files held below auto, ${ms} ms`);
}
