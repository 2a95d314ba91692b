/**
 * Static-rung benchmark over a corpus of real repositories (scripts/corpus/repos.json, recreated by
 * scripts/corpus/recreate.ts): precision per rule and overall on the labelled sample (scripts/corpus/labels.jsonl),
 * recall on planted defects (scripts/corpus/plants.json), findings per 1,000 lines, and scan speed, for the rung as
 * committed at --before and as it is in this tree ("after").
 *
 *   bun scripts/bench-static.ts [--corpus /work/corpus] [--before COMMIT] [--per-rule 20] [--seed 11] [--json]
 *   bun scripts/bench-static.ts --unlabelled before|after   # the sampled findings still lacking a label, with context
 *   bun scripts/bench-static.ts --after COMMIT              # bench a commit as "after" instead of this working tree
 *   bun scripts/bench-static.ts --before 6777ec6 --rounds 9 # then scanShard speed of both, in alternating rounds
 *
 * --rounds N (default 5) times both engines' scanShard over the same corpus shards N times each, in alternating
 * order after the first scan has loaded every grammar; the median MB/s of each and their ratio are printed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { corpusRepos } from "./corpus/recreate";
import { currentTree, extractCommit, loadEngine, type Engine } from "./corpus/engine";
import { plantRecall, type PlantResult } from "./corpus/plants";
import { labelKey, readLabels, sampleFindings, type Label } from "./corpus/sample";
import { scanCorpus, type CorpusFinding, type CorpusScan } from "./corpus/scan-corpus";
import { scanSpeed, type SpeedResult } from "./corpus/speed";

/** The static rung as it was before issue #11 (line lexer, no vendored skip). */
const BEFORE_COMMIT = "d480bd8";
const LABELS = join(import.meta.dir, "corpus/labels.jsonl");

interface RuleRow {
  rule: string;
  findings: number;
  perKloc: number;
  sampled: number;
  labelled: number;
  truePositives: number;
  precision: number | null;
}
interface EngineReport {
  engine: string;
  files: number;
  skipped: number;
  lines: number;
  megabytes: number;
  findings: number;
  perKloc: number;
  rules: RuleRow[];
  /** True positives over labelled findings of the sample, all rules pooled. */
  samplePrecision: number | null;
  /** Each rule's sample precision weighted by its share of all findings: the estimate for a random finding. */
  weightedPrecision: number | null;
  plants: PlantResult[];
  recall: number;
  scanMbPerS: number;
  shardAndScanMbPerS: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

function report(engine: Engine, scan: CorpusScan, labels: Map<string, Label>, perRule: number, seed: number, plants: PlantResult[]): EngineReport {
  const sample = sampleFindings(scan.findings, perRule, seed);
  const kloc = scan.lines / 1000;
  const rules: RuleRow[] = [...sample].map(([rule, drawn]) => {
    const found = drawn.map((f) => labels.get(labelKey(f))).filter((l): l is Label => l !== undefined);
    const truePositives = found.filter((l) => l.label).length;
    const findings = scan.findings.filter((f) => f.rule === rule).length;
    return { rule, findings, perKloc: findings / kloc, sampled: drawn.length, labelled: found.length, truePositives, precision: ratio(truePositives, found.length) };
  });
  const labelled = rules.reduce((n, r) => n + r.labelled, 0);
  const tp = rules.reduce((n, r) => n + r.truePositives, 0);
  const weighted = rules.filter((r) => r.precision !== null);
  const weight = weighted.reduce((n, r) => n + r.findings, 0);
  return {
    engine: engine.label,
    files: scan.files,
    skipped: scan.skipped.length,
    lines: scan.lines,
    megabytes: scan.bytes / 1e6,
    findings: scan.findings.length,
    perKloc: scan.findings.length / kloc,
    rules,
    samplePrecision: ratio(tp, labelled),
    weightedPrecision: ratio(weighted.reduce((n, r) => n + (r.precision as number) * r.findings, 0), weight),
    plants,
    recall: plants.filter((p) => p.found).length / Math.max(1, plants.length),
    scanMbPerS: scan.bytes / 1e6 / (scan.scanMs / 1000),
    shardAndScanMbPerS: scan.bytes / 1e6 / (scan.totalMs / 1000),
  };
}

const fmt = (n: number | null, digits = 2): string => (n === null ? "–" : n.toFixed(digits));

function print(r: EngineReport): void {
  console.log(`\n## ${r.engine}: ${r.files} files (${r.skipped} skipped), ${r.lines} lines, ${r.megabytes.toFixed(1)} MB`);
  console.log(`findings ${r.findings} (${fmt(r.perKloc)} per 1,000 lines); precision ${fmt(r.weightedPrecision)} weighted by rule, ${fmt(r.samplePrecision)} over the pooled sample; recall on plants ${r.plants.filter((p) => p.found).length}/${r.plants.length}`);
  console.log(`speed: scanShard ${r.scanMbPerS.toFixed(1)} MB/s on one core; shard + scan ${r.shardAndScanMbPerS.toFixed(1)} MB/s`);
  console.log("| rule | findings | per kloc | sampled | labelled | true | precision |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const x of r.rules) console.log(`| ${x.rule} | ${x.findings} | ${fmt(x.perKloc)} | ${x.sampled} | ${x.labelled} | ${x.truePositives} | ${fmt(x.precision)} |`);
  for (const p of r.plants.filter((p) => !p.found)) console.log(`missed plant: ${p.name} (${p.repo}/${p.path}:${p.line} ${p.rule})`);
}

function printSpeed(speed: SpeedResult[], shards: number): void {
  if (speed.length === 0) return;
  console.log(`\n## scanShard speed, grammars loaded, ${speed[0]?.rounds.length} alternating rounds over the same ${shards} shards`);
  for (const s of speed) console.log(`${s.engine}: median ${s.median.toFixed(1)} MB/s (rounds ${s.rounds.map((r) => r.toFixed(1)).join(", ")})`);
  const [a, b] = speed;
  if (a && b) console.log(`${b.engine} / ${a.engine}: ${(b.median / a.median).toFixed(2)}x`);
}

/** The sampled findings without a label, each with five lines of context either side, as JSONL for a labeller. */
function unlabelled(scan: CorpusScan, labels: Map<string, Label>, perRule: number, seed: number, corpus: string): void {
  for (const drawn of sampleFindings(scan.findings, perRule, seed).values()) {
    for (const f of drawn) {
      if (labels.has(labelKey(f))) continue;
      const lines = readFileSync(join(corpus, f.repo, f.path), "utf8").split("\n");
      const context = lines.slice(Math.max(0, f.line - 6), f.line + 5).map((l, i) => `${Math.max(1, f.line - 5) + i}: ${l}`);
      console.log(JSON.stringify({ ...pick(f), context }));
    }
  }
}

function pick(f: CorpusFinding) {
  return { repo: f.repo, path: f.path, line: f.line, rule: f.rule, evidence: f.evidence, category: f.category, severity: f.severity };
}

if (import.meta.main) {
  const corpus = arg("--corpus", "/work/corpus");
  const perRule = Number(arg("--per-rule", "20"));
  const seed = Number(arg("--seed", "11"));
  const repos = corpusRepos().map((r) => ({ name: r.name, dir: join(corpus, r.name) }));
  const labels = readLabels(LABELS);
  const only = process.argv.includes("--unlabelled") ? arg("--unlabelled", "after") : undefined;
  const engines = [
    { label: "before", root: () => extractCommit(arg("--before", BEFORE_COMMIT)) },
    // --after COMMIT benches a commit instead of the working tree (useful while others' edits are in flight).
    { label: "after", root: () => (process.argv.includes("--after") ? extractCommit(arg("--after", "HEAD")) : currentTree()) },
  ].filter((e) => only === undefined || e.label === only);
  const reports: EngineReport[] = [];
  const loaded: Engine[] = [];
  let lastScan: CorpusScan | undefined;
  for (const e of engines) {
    const engine = await loadEngine(e.label, e.root());
    const scan = await scanCorpus(engine, repos);
    loaded.push(engine);
    lastScan = scan;
    if (only !== undefined) {
      unlabelled(scan, labels, perRule, seed, corpus);
      continue;
    }
    reports.push(report(engine, scan, labels, perRule, seed, await plantRecall(engine, corpus)));
  }
  if (only === undefined) {
    const rounds = Number(arg("--rounds", "5"));
    const speed = rounds > 0 && lastScan ? await scanSpeed(loaded, lastScan.shards, rounds) : [];
    if (process.argv.includes("--json")) console.log(JSON.stringify({ reports, speed }, null, 2));
    else {
      reports.forEach(print);
      printSpeed(speed, lastScan?.shards.length ?? 0);
    }
  }
}
