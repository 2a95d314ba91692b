/** Scoring: confidences, the permission-gradient tier, and the per-file counts stored in the KB. */
import type { Config } from "../config/config";
import { INJECTION_RULE } from "../review/injection-phrases";
import { FINDING_CATEGORIES, type FileVerdict, type FindingCategory } from "../verdict/verdict";

export type Tier = "auto" | "review" | "block";

export interface ConfidenceStats {
  avg: number | null;
  min: number | null;
  count: number;
}

/** Average and minimum of every confidence in a verdict (findings of all categories and next actions). */
export function confidenceStats(verdict: Pick<FileVerdict, (typeof FINDING_CATEGORIES)[number] | "required_next_actions">): ConfidenceStats {
  const values: number[] = [];
  for (const c of FINDING_CATEGORIES) for (const f of verdict[c]) values.push(f.confidence);
  for (const a of verdict.required_next_actions) values.push(a.confidence);
  if (values.length === 0) return { avg: null, min: null, count: 0 };
  const avg = values.reduce((s, v) => s + v, 0) / values.length;
  return { avg: Math.round(avg * 10) / 10, min: Math.min(...values), count: values.length };
}

/** The permission-gradient tier: min below block_below → block; avg below review_below → review; else auto. No confidences → review. */
export function gradientTier(stats: ConfidenceStats, gradient: Config["gradient"]): Tier {
  if (stats.min === null || stats.avg === null) return "review";
  if (stats.min < gradient.blockBelow) return "block";
  if (stats.avg < gradient.reviewBelow) return "review";
  return "auto";
}

/**
 * A file is never `auto` when its code tries to steer its reviewer (an injection finding) or when a problem finding's
 * evidence is not in the file (the claim cannot be checked), or when the verifier was uncertain of a finding, whatever the
 * confidences say.
 */
export function capTier(tier: Tier, verdict: Pick<FileVerdict, FindingCategory>): Tier {
  const steered = FINDING_CATEGORIES.some((c) => verdict[c].some((f) => f.rule === INJECTION_RULE));
  const unchecked = FINDING_CATEGORIES.some((c) => c !== "verified_components" && verdict[c].some((f) => !f.evidence_verified));
  // A finding the verifier could not settle either way needs a person's look.
  const uncertain = FINDING_CATEGORIES.some((c) => verdict[c].some((f) => f.disposition === "uncertain"));
  return (steered || unchecked || uncertain) && tier === "auto" ? "review" : tier;
}

export interface FileCounts {
  findings: number;
  criticalFailures: number;
  missingComponents: number;
  verifiedComponents: number;
  evidenceUnverified: number;
}

/**
 * Counts of a file verdict, equal by construction to the `findings` rows that count: `findings_count` is every problem
 * finding (all categories but verified_components, proof of life counted on its own) whose evidence is in the file;
 * `evidence_unverified` the problem findings whose evidence is not. Dismissed findings are not in the lists.
 */
export function fileCounts(verdict: FileVerdict): FileCounts {
  let findings = 0;
  let unverified = 0;
  for (const c of FINDING_CATEGORIES) {
    if (c === "verified_components") continue;
    findings += verdict[c].filter((f) => f.evidence_verified).length;
    unverified += verdict[c].filter((f) => !f.evidence_verified).length;
  }
  return {
    findings,
    criticalFailures: verdict.critical_failures.filter((f) => f.evidence_verified).length,
    missingComponents: verdict.missing_components.filter((f) => f.evidence_verified).length,
    verifiedComponents: verdict.verified_components.length,
    evidenceUnverified: unverified,
  };
}
