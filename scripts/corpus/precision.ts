/**
 * Precision of the static rung under two standards, from hand labels of a seeded, rule-stratified sample:
 *
 * - maintainer: would a maintainer of that repository act on the finding? TP (yes), weak (a true but minor point a
 *   maintainer might shrug at), FP (no). Precision counts TP only; "TP or weak" is printed beside it.
 * - claim: does the rule's one-line claim hold at that line (a TODO is a TODO)? The standard of labels.jsonl.
 *
 * Labels live in scripts/corpus/precision-labels.jsonl (both standards; one object a line: set, repo, commit, path,
 * line, rule, severity, evidence, label, claim, reason). The older scripts/corpus/labels.jsonl (tuning set, claim
 * standard only) supplies the claim label of a tuning finding that has no new-style label.
 */
import { existsSync, readFileSync } from "node:fs";
import { labelKey } from "./sample";

export type MaintainerLabel = "TP" | "weak" | "FP";
export const MAINTAINER_LABELS: readonly MaintainerLabel[] = ["TP", "weak", "FP"];

export interface PrecisionLabel {
  set: "tuning" | "eval";
  repo: string;
  commit: string;
  path: string;
  line: number;
  rule: string;
  /** The severity the finding had when it was labelled (the bench groups by the severity the rung gives now). */
  severity: string;
  evidence: string;
  label: MaintainerLabel;
  claim: boolean;
  reason: string;
}

/** What the bench knows of one finding: either standard may be missing. */
export interface Judgement {
  maintainer?: MaintainerLabel;
  claim?: boolean;
}

/** Read precision-labels.jsonl; a malformed line is an error naming the file, the line and the key. */
export function readPrecisionLabels(file: string): PrecisionLabel[] {
  if (!existsSync(file)) return [];
  const out: PrecisionLabel[] = [];
  readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${file}:${i + 1}`;
    let l: PrecisionLabel;
    try {
      l = JSON.parse(line) as PrecisionLabel;
    } catch (e) {
      throw new Error(`${where}: not JSON (${(e as Error).message}); one label object a line`);
    }
    for (const key of ["repo", "commit", "path", "rule", "severity", "evidence", "reason"] as const) {
      if (typeof l[key] !== "string" || (key !== "evidence" && l[key].trim() === "")) throw new Error(`${where}: "${key}" must be a non-empty string`);
    }
    if (l.set !== "tuning" && l.set !== "eval") throw new Error(`${where}: "set" must be "tuning" or "eval"`);
    if (!Number.isInteger(l.line) || l.line < 1) throw new Error(`${where}: "line" must be a 1-based line number`);
    if (!MAINTAINER_LABELS.includes(l.label)) throw new Error(`${where}: "label" must be one of ${MAINTAINER_LABELS.join(", ")}`);
    if (typeof l.claim !== "boolean") throw new Error(`${where}: "claim" must be true or false (does the rule's claim hold?)`);
    out.push(l);
  });
  return out;
}

/** Judgements by finding key: new-style labels first, the older claim-only labels where there is no new one. */
export function judgements(labels: PrecisionLabel[], claimOnly: Map<string, { label: boolean }>): Map<string, Judgement> {
  const out = new Map<string, Judgement>();
  for (const [key, l] of claimOnly) out.set(key, { claim: l.label });
  for (const l of labels) out.set(labelKey(l), { maintainer: l.label, claim: l.claim });
  return out;
}

export interface Interval {
  successes: number;
  n: number;
  /** null when n = 0. */
  p: number | null;
  low: number | null;
  high: number | null;
}

/** The Wilson score interval for a binomial proportion at 95% (z = 1.96). */
export function wilson(successes: number, n: number, z = 1.96): Interval {
  if (n === 0) return { successes, n, p: null, low: null, high: null };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { successes, n, p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The bar a rule must clear on the evaluation set to raise a file's verdict (medium/high). */
export const EARNED = { precision: 0.8, lowerBound: 0.6 } as const;

/** Whether a maintainer-standard interval clears the bar. */
export function earned(i: Interval): boolean {
  return i.p !== null && i.low !== null && i.p >= EARNED.precision && i.low >= EARNED.lowerBound;
}

/** The two standards over a set of judgements: maintainer (TP only, and TP or weak) and claim. */
export interface Precision {
  maintainer: Interval;
  maintainerOrWeak: Interval;
  claim: Interval;
}

export function precisionOf(js: Judgement[]): Precision {
  const m = js.filter((j) => j.maintainer !== undefined);
  const c = js.filter((j) => j.claim !== undefined);
  return {
    maintainer: wilson(m.filter((j) => j.maintainer === "TP").length, m.length),
    maintainerOrWeak: wilson(m.filter((j) => j.maintainer !== "FP").length, m.length),
    claim: wilson(c.filter((j) => j.claim).length, c.length),
  };
}

/** "0.83 [0.55, 0.95] 10/12", or "–" with no labels. */
export function formatInterval(i: Interval): string {
  if (i.p === null) return "–";
  return `${i.p.toFixed(2)} [${(i.low as number).toFixed(2)}, ${(i.high as number).toFixed(2)}] ${i.successes}/${i.n}`;
}
