/**
 * Static-rung precision, honestly measured: per rule and per severity, with a 95% Wilson interval, under both
 * standards (would a maintainer act on it; does the claim hold), for the tuning set (scripts/corpus/repos.json, the
 * repositories the rules were developed against) and the evaluation set (scripts/corpus/eval-repos.json, chosen
 * before any finding was looked at). Recreate the corpus first: bun scripts/corpus/recreate.ts /work/corpus
 *
 *   bun scripts/bench-precision.ts [--corpus /work/corpus] [--per-rule 15] [--seed 19] [--json]
 *   bun scripts/bench-precision.ts --unlabelled eval|tuning    # sampled findings still lacking a label, with context
 *
 * The prompt-injection check (a whole-file check outside the static rung) is scanned and sampled like a rule.
 * A repository of the evaluation set lists in `tuningFor` the rules developed against it: its findings of those rules
 * count in the tuning table, not the evaluation one. Plants (scripts/corpus/plants.json) give recall.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { currentTree, loadEngine } from "./corpus/engine";
import { plantRecall } from "./corpus/plants";
import { earned, formatInterval, judgements, precisionOf, readPrecisionLabels, type Judgement, type Precision } from "./corpus/precision";
import { CORPUS_SETS, corpusRepos, type CorpusSet } from "./corpus/recreate";
import { labelKey, readLabels, sampleFindings } from "./corpus/sample";
import { scanCorpus, type CorpusFinding } from "./corpus/scan-corpus";

export const PRECISION_LABELS = join(import.meta.dir, "corpus/precision-labels.jsonl");
const CLAIM_LABELS = join(import.meta.dir, "corpus/labels.jsonl");
const SEVERITIES = ["high", "medium", "low"] as const;

interface RuleReport {
  rule: string;
  /** Findings per severity the rung gives now. */
  severities: Record<string, number>;
  findings: number;
  sampled: number;
  precision: Precision;
}
interface SeverityReport {
  severity: string;
  findings: number;
  precision: Precision;
  /** Maintainer precision of a random finding of this severity: each rule's sample precision weighted by its findings. */
  weighted: number | null;
}
export interface SetReport {
  set: CorpusSet;
  repos: string[];
  files: number;
  lines: number;
  findings: number;
  rules: RuleReport[];
  severities: SeverityReport[];
  /** Medium and high findings pooled: what makes a file needs_patch or fail. */
  raising: Precision;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** The set a finding counts in: its repository's, unless that repository is tuning data for the finding's rule. */
function setOf(f: CorpusFinding, tuningFor: Map<string, Set<string>>, repoSet: Map<string, CorpusSet>): CorpusSet {
  return tuningFor.get(f.repo)?.has(f.rule) ? "tuning" : (repoSet.get(f.repo) as CorpusSet);
}

export function setReport(set: CorpusSet, findings: CorpusFinding[], judged: Map<string, Judgement>, perRule: number, seed: number, meta: { repos: string[]; files: number; lines: number }): SetReport {
  const sample = sampleFindings(findings, perRule, seed);
  const judgedOf = (fs: CorpusFinding[]) => fs.map((f) => judged.get(labelKey(f))).filter((j): j is Judgement => j !== undefined);
  const rules = [...sample].map(([rule, drawn]): RuleReport => {
    const all = findings.filter((f) => f.rule === rule);
    const severities: Record<string, number> = {};
    for (const f of all) severities[f.severity] = (severities[f.severity] ?? 0) + 1;
    return { rule, severities, findings: all.length, sampled: drawn.length, precision: precisionOf(judgedOf(drawn)) };
  });
  const drawn = [...sample.values()].flat();
  const severities = SEVERITIES.map((severity): SeverityReport => {
    const mine = drawn.filter((f) => f.severity === severity);
    // Weight: each rule's findings of this severity, times that rule's maintainer precision at this severity.
    let weight = 0;
    let sum = 0;
    for (const rule of new Set(mine.map((f) => f.rule))) {
      const p = precisionOf(judgedOf(mine.filter((f) => f.rule === rule))).maintainer.p;
      if (p === null) continue;
      const n = findings.filter((f) => f.rule === rule && f.severity === severity).length;
      weight += n;
      sum += p * n;
    }
    return { severity, findings: findings.filter((f) => f.severity === severity).length, precision: precisionOf(judgedOf(mine)), weighted: weight === 0 ? null : sum / weight };
  });
  const raising = precisionOf(judgedOf(drawn.filter((f) => f.severity !== "low")));
  return { set, ...meta, findings: findings.length, rules, severities, raising };
}

function printSet(r: SetReport): void {
  console.log(`\n## ${r.set} set: ${r.repos.join(", ")}; ${r.files} files, ${r.lines} lines, ${r.findings} findings`);
  console.log(`medium/high findings (raise the verdict), pooled sample: maintainer ${formatInterval(r.raising.maintainer)}; claim ${formatInterval(r.raising.claim)}`);
  console.log("\n| rule | findings (severity now) | sampled | maintainer acts (TP) | TP or weak | claim holds | earns medium/high |");
  console.log("| --- | --- | ---: | --- | --- | --- | --- |");
  for (const x of r.rules) {
    const sev = SEVERITIES.filter((s) => x.severities[s]).map((s) => `${s} ${x.severities[s]}`).join(", ");
    console.log(`| ${x.rule} | ${x.findings} (${sev}) | ${x.sampled} | ${formatInterval(x.precision.maintainer)} | ${formatInterval(x.precision.maintainerOrWeak)} | ${formatInterval(x.precision.claim)} | ${r.set === "eval" ? (earned(x.precision.maintainer) ? "yes" : "no") : "(tuning)"} |`);
  }
  console.log("\n| severity | findings | maintainer acts (TP), pooled sample | weighted by rule | TP or weak | claim holds |");
  console.log("| --- | ---: | --- | ---: | --- | --- |");
  for (const s of r.severities) {
    console.log(`| ${s.severity} | ${s.findings} | ${formatInterval(s.precision.maintainer)} | ${s.weighted === null ? "–" : s.weighted.toFixed(2)} | ${formatInterval(s.precision.maintainerOrWeak)} | ${formatInterval(s.precision.claim)} |`);
  }
}

if (import.meta.main) {
  const corpus = arg("--corpus", "/work/corpus");
  const perRule = Number(arg("--per-rule", "15"));
  const seed = Number(arg("--seed", "19"));
  if (!Number.isInteger(perRule) || perRule < 1 || !Number.isInteger(seed)) {
    console.error(`--per-rule takes a positive integer and --seed an integer; got ${arg("--per-rule", "15")} and ${arg("--seed", "19")}`);
    process.exit(2);
  }
  for (const set of CORPUS_SETS) {
    const absent = corpusRepos(set).filter((r) => !existsSync(join(corpus, r.name)));
    if (absent.length > 0) {
      console.error(`${corpus} lacks ${absent.map((r) => r.name).join(", ")}: run bun scripts/corpus/recreate.ts ${corpus}`);
      process.exit(2);
    }
  }
  const engine = await loadEngine("this tree", currentTree());
  const repoSet = new Map<string, CorpusSet>();
  const tuningFor = new Map<string, Set<string>>();
  const commits = new Map<string, string>();
  for (const set of CORPUS_SETS) {
    for (const r of corpusRepos(set)) {
      repoSet.set(r.name, set);
      commits.set(r.name, r.commit);
      tuningFor.set(r.name, new Set(r.tuningFor ?? []));
    }
  }
  const scans = new Map<CorpusSet, Awaited<ReturnType<typeof scanCorpus>>>();
  for (const set of CORPUS_SETS) {
    scans.set(set, await scanCorpus(engine, corpusRepos(set).map((r) => ({ name: r.name, dir: join(corpus, r.name) })), { injections: true }));
  }
  const all = [...scans.values()].flatMap((s) => s.findings);
  const bySet = (set: CorpusSet) => all.filter((f) => setOf(f, tuningFor, repoSet) === set);
  const judged = judgements(readPrecisionLabels(PRECISION_LABELS), readLabels(CLAIM_LABELS));

  const only = process.argv.includes("--unlabelled") ? (arg("--unlabelled", "eval") as CorpusSet) : undefined;
  if (only !== undefined && !CORPUS_SETS.includes(only)) {
    console.error(`--unlabelled takes ${CORPUS_SETS.join(" or ")}; got "${only}"`);
    process.exit(2);
  }
  if (only !== undefined) {
    for (const drawn of sampleFindings(bySet(only), perRule, seed).values()) {
      for (const f of drawn) {
        if (judged.get(labelKey(f))?.maintainer !== undefined) continue;
        const lines = readFileSync(join(corpus, f.repo, f.path), "utf8").split("\n");
        const context = lines.slice(Math.max(0, f.line - 8), f.line + 6).map((l, i) => `${Math.max(1, f.line - 7) + i}: ${l}`);
        console.log(JSON.stringify({ set: only, repo: f.repo, commit: commits.get(f.repo), path: f.path, line: f.line, rule: f.rule, severity: f.severity, evidence: f.evidence, context }));
      }
    }
  } else {
    const reports = CORPUS_SETS.map((set) => {
      const scan = scans.get(set) as Awaited<ReturnType<typeof scanCorpus>>;
      return setReport(set, bySet(set), judged, perRule, seed, { repos: corpusRepos(set).map((r) => r.name), files: scan.files, lines: scan.lines });
    });
    const plants = await plantRecall(engine, corpus);
    if (process.argv.includes("--json")) console.log(JSON.stringify({ perRule, seed, reports, plants }, null, 2));
    else {
      console.log(`# static rung precision (seed ${seed}, up to ${perRule} findings a rule; 95% Wilson intervals; earned = maintainer precision >= 0.8 with lower bound >= 0.6)`);
      reports.forEach(printSet);
      console.log(`\nrecall on plants: ${plants.filter((p) => p.found).length}/${plants.length}`);
      for (const p of plants.filter((p) => !p.found)) console.log(`missed plant: ${p.name} (${p.repo}/${p.path}:${p.line} ${p.rule})`);
    }
  }
}
