/** The bench's arithmetic: findings matched to planted (or labelled) defects, and the numbers of one variant. Pure. */
import type { FileReview, StoredAttempt, StoredFinding } from "../../domain/records";
import type { BenchRun } from "../../kb/servers";
import type { FindingCategory } from "../../domain/verdict";

/** A defect the review should find: a plant, or a line of a labels file. */
export interface Target {
  id: number;
  path: string;
  operator: string;
  line_start: number;
  line_end: number;
  categories: readonly FindingCategory[];
}

/** What one iteration stored, read back through the Kb. */
export interface RunRows {
  reviews: FileReview[];
  findings: StoredFinding[];
  attempts: StoredAttempt[];
}

/** One review pass of a variant: the planted (or labelled) files, and their controls when there are plants. */
export interface Pass {
  subject: RunRows;
  control?: RunRows;
}

/** Findings that say something is wrong (verified components are proof of life, not findings), not dismissed nor refuted by [verify]. */
export function problems(findings: StoredFinding[]): StoredFinding[] {
  return findings.filter((f) => f.category !== "verified_components" && f.dismissal_id === null && f.disposition !== "refuted");
}

/** Whether a finding is about the target: its lines within `tolerance` of the target's, in a category that counts. */
export function findsTarget(f: StoredFinding, t: Target, tolerance: number): boolean {
  return f.path === t.path && t.categories.includes(f.category as FindingCategory) && f.line_start <= t.line_end + tolerance && t.line_start <= f.line_end + tolerance;
}

export interface PassNumbers {
  targets: number;
  found: number;
  foundByOperator: Record<string, { targets: number; found: number }>;
  /** Findings on the subject files absent from their controls (all subject findings without controls). */
  candidates: number;
  truePositives: number;
  controlFindings: number;
  tokens: number;
  costUsd: number;
  subjectCostUsd: number;
  /** Tokens and model seconds spent on the subject files: the cost of a local rung, whose dollars are 0. */
  subjectTokens: number;
  subjectSeconds: number;
  attempts: number;
  thinOrInvalid: number;
  escalations: number;
  unreviewed: number;
  latencyMsPerFile: number | null;
  /** Fingerprints of the subject's problem findings, for stability across repeats. */
  fingerprints: Set<string>;
}

/**
 * Score one pass. A finding counts for a target only when it is absent from the control (by fingerprint): the same
 * finding on the unplanted code says nothing about the plant. Precision's denominator is those differential findings.
 */
export function scorePass(targets: Target[], pass: Pass, tolerance: number): PassNumbers {
  const subject = problems(pass.subject.findings);
  const controlKeys = new Set(problems(pass.control?.findings ?? []).map((f) => `${f.path}\u0000${f.fingerprint}`));
  const candidates = subject.filter((f) => !controlKeys.has(`${f.path}\u0000${f.fingerprint}`));
  const foundIds = new Set<number>();
  let truePositives = 0;
  for (const f of candidates) {
    const hits = targets.filter((t) => findsTarget(f, t, tolerance));
    if (hits.length === 0) continue;
    truePositives++;
    for (const t of hits) foundIds.add(t.id);
  }
  const foundByOperator: PassNumbers["foundByOperator"] = {};
  for (const t of targets) {
    const o = (foundByOperator[t.operator] ??= { targets: 0, found: 0 });
    o.targets++;
    if (foundIds.has(t.id)) o.found++;
  }
  const rows = [pass.subject, ...(pass.control ? [pass.control] : [])];
  const attempts = rows.flatMap((r) => r.attempts);
  const reviews = rows.flatMap((r) => r.reviews);
  const reviewed = reviews.filter((r) => r.verdict !== "skipped");
  return {
    targets: targets.length,
    found: foundIds.size,
    foundByOperator,
    candidates: candidates.length,
    truePositives,
    controlFindings: problems(pass.control?.findings ?? []).length,
    tokens: attempts.reduce((s, a) => s + a.tokens_in + a.tokens_out, 0),
    costUsd: attempts.reduce((s, a) => s + a.cost_usd, 0),
    subjectCostUsd: pass.subject.attempts.reduce((s, a) => s + a.cost_usd, 0),
    subjectTokens: pass.subject.attempts.reduce((s, a) => s + a.tokens_in + a.tokens_out, 0),
    subjectSeconds: pass.subject.attempts.reduce((s, a) => s + a.latency_ms, 0) / 1000,
    attempts: attempts.length,
    thinOrInvalid: attempts.filter((a) => a.outcome === "thin" || a.outcome === "invalid").length,
    escalations: reviews.reduce((s, r) => s + r.escalations, 0),
    unreviewed: reviews.filter((r) => r.verdict === "unreviewed").length,
    latencyMsPerFile: reviewed.length > 0 ? reviewed.reduce((s, r) => s + r.latency_ms, 0) / reviewed.length : null,
    fingerprints: new Set(subject.map((f) => `${f.path}\u0000${f.fingerprint}`)),
  };
}

/** A variant's result over its repeats, as a bench_runs row holds it (details go to details_json). */
export type VariantResult = Pick<BenchRun, "planted" | "found" | "recall" | "precision" | "noise_per_kloc" | "tokens" | "cost_usd" | "cost_per_tp" | "stability"> & {
  variant: string;
  details: {
    rungs: string[];
    consensus: { rungs: string[]; samples: number; min_agree: number } | null;
    repeat: number;
    recall_by_operator: Record<string, { planted: number; found: number; recall: number | null }>;
    true_positives: number;
    differential_findings: number;
    control_findings: number;
    thin_invalid_rate: number | null;
    escalations: number;
    unreviewed_files: number;
    latency_ms_per_file: number | null;
    /** What one true positive cost in tokens and model seconds (null when nothing was found: see subject_*). */
    tokens_per_tp: number | null;
    seconds_per_tp: number | null;
    /** Tokens and model seconds spent on the subject files, found or not. */
    subject_tokens: number;
    subject_seconds: number;
  };
};

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const mean = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length > 0 ? v.reduce((s, x) => s + x, 0) / v.length : null;
};

/** Combine the repeats of a variant: means per run, and stability = fingerprints in every run ÷ in any run. */
export function combinePasses(variant: string, meta: Pick<VariantResult["details"], "rungs" | "consensus">, passes: PassNumbers[], controlLines: number | null): VariantResult {
  const k = passes.length;
  const per = (pick: (p: PassNumbers) => number) => passes.reduce((s, p) => s + pick(p), 0) / k;
  const ops = [...new Set(passes.flatMap((p) => Object.keys(p.foundByOperator)))].sort();
  const recallByOperator = Object.fromEntries(
    ops.map((op) => {
      const planted = passes[0]!.foundByOperator[op]?.targets ?? 0;
      const found = per((p) => p.foundByOperator[op]?.found ?? 0);
      return [op, { planted, found, recall: ratio(found, planted) }];
    }),
  );
  const all = new Set(passes.flatMap((p) => [...p.fingerprints]));
  const every = [...all].filter((fp) => passes.every((p) => p.fingerprints.has(fp)));
  const tp = per((p) => p.truePositives);
  const subjectCost = per((p) => p.subjectCostUsd);
  const attempts = per((p) => p.attempts);
  return {
    variant,
    planted: passes[0]!.targets,
    found: per((p) => p.found),
    recall: ratio(per((p) => p.found), passes[0]!.targets),
    precision: mean(passes.map((p) => ratio(p.truePositives, p.candidates))),
    noise_per_kloc: controlLines ? (per((p) => p.controlFindings) / controlLines) * 1000 : null,
    tokens: Math.round(per((p) => p.tokens)),
    cost_usd: per((p) => p.costUsd),
    cost_per_tp: tp > 0 ? subjectCost / tp : null,
    stability: k > 1 ? (all.size > 0 ? every.length / all.size : 1) : null,
    details: {
      ...meta,
      repeat: k,
      recall_by_operator: recallByOperator,
      true_positives: tp,
      differential_findings: per((p) => p.candidates),
      control_findings: per((p) => p.controlFindings),
      thin_invalid_rate: ratio(per((p) => p.thinOrInvalid), attempts),
      escalations: per((p) => p.escalations),
      unreviewed_files: per((p) => p.unreviewed),
      latency_ms_per_file: mean(passes.map((p) => p.latencyMsPerFile)),
      tokens_per_tp: tp > 0 ? per((p) => p.subjectTokens) / tp : null,
      seconds_per_tp: tp > 0 ? per((p) => p.subjectSeconds) / tp : null,
      subject_tokens: per((p) => p.subjectTokens),
      subject_seconds: per((p) => p.subjectSeconds),
    },
  };
}
