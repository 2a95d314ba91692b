/** How a file verdict counts: its tier, and the counting rule every output shares (what "a problem finding" is). */
import { FINDING_CATEGORIES, type FileVerdict } from "./verdict";

/** How far a file verdict can be trusted without a human: `auto`, `review`, or `block` (check first). */
export type Tier = "auto" | "review" | "block";

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

/**
 * A stored problem finding (not proof of life) whose quoted evidence is not in the file: the one definition of
 * "unverified evidence" that the run summary, --json, reports and the dashboard all count (kb/state.ts has its SQL).
 */
export function isUnverifiedProblem(f: { category: string; evidence_verified: boolean }): boolean {
  return f.category !== "verified_components" && !f.evidence_verified;
}
