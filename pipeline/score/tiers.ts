/** Scoring: confidences and the permission-gradient tier (the tier itself and the per-file counts: domain/counts.ts). */
import type { Tier } from "../../domain/counts";
import type { Config } from "../config/config";
import { INJECTION_RULE } from "../review/injection-phrases";
import { FINDING_CATEGORIES, type FileVerdict, type FindingCategory } from "../../domain/verdict";

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

/**
 * The permission-gradient tier: how much human attention a file's verdict needs before anything acts on it.
 * `block`: some confidence is below block_below (the reviewer doubts part of its own verdict: check it first);
 * `review`: there are problem findings to act on (a patch a human reviews), or the average confidence is below
 * review_below; `auto`: nothing to act on and the review was confident, so the loop moves on without a human.
 * `problems` is the file's counting problem findings; a file with no confidence at all found nothing: auto.
 */
export function gradientTier(stats: ConfidenceStats, gradient: Config["gradient"], problems = 0): Tier {
  if (stats.min !== null && stats.min < gradient.blockBelow) return "block";
  if (problems > 0) return "review";
  if (stats.avg !== null && stats.avg < gradient.reviewBelow) return "review";
  return "auto";
}

/** What holds a file below `auto` besides its verdict: text in it the injection check saw but counts as handled data. */
export interface TierHolds {
  /** Lines quoting injection text the program handles (a fixture, a detection rule): no finding, but no `auto`. */
  handledInjections?: number;
}

/**
 * A file is never `auto` when its code tries to steer its reviewer (an injection finding, or injection text it
 * handles as data), when a problem finding's evidence is not in the file (the claim cannot be checked), or when its
 * `pass` does not rest on proof: every reviewed shard needs a verified component whose evidence is found in that
 * shard. A model that obeyed an instruction the check did not catch usually returns a bare `pass`; it stops at `review`.
 * A finding the verifier ([verify]) could not settle either way also needs a person's look.
 */
export function capTier(tier: Tier, verdict: Pick<FileVerdict, FindingCategory | "verdict" | "shard_reviews">, holds: TierHolds = {}): Tier {
  if (tier !== "auto") return tier;
  const steered = FINDING_CATEGORIES.some((c) => verdict[c].some((f) => f.rule === INJECTION_RULE)) || (holds.handledInjections ?? 0) > 0;
  const unchecked = FINDING_CATEGORIES.some((c) => c !== "verified_components" && verdict[c].some((f) => !f.evidence_verified));
  const unproven = verdict.verdict === "pass" && !restsOnEvidence(verdict);
  const uncertain = FINDING_CATEGORIES.some((c) => verdict[c].some((f) => f.disposition === "uncertain"));
  return steered || unchecked || unproven || uncertain ? "review" : tier;
}

/** Whether every reviewed shard has at least one verified component whose evidence was found in that shard. */
export function restsOnEvidence(verdict: Pick<FileVerdict, "verified_components" | "shard_reviews">): boolean {
  const reviewed = verdict.shard_reviews.filter((s) => s.status === "reviewed");
  return (
    reviewed.length > 0 &&
    reviewed.every((s) => verdict.verified_components.some((f) => f.shard === s.index && f.evidence_verified && f.line_start >= s.line_start && f.line_end <= s.line_end))
  );
}
