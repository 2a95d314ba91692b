/**
 * The forensic verdict as every stage and the knowledge base speak it: the finding lists, a finding, a shard and a
 * file verdict. The types derive from the TypeBox schemas in verdict-schema.ts (type-only: loading this module never
 * loads TypeBox); pipeline/verdict/verdict.ts validates answers against the JSON generated from them.
 */
import type { Static } from "@sinclair/typebox";
import type { DismissedFindingSchema, FileFindingSchema, FileVerdictSchema, FindingSchema, NextActionSchema, ShardReviewSchema, ShardVerdictSchema } from "./verdict-schema";

/** The seven finding lists, in the order of the audit passes; `required_next_actions` is the eighth. */
export const FINDING_CATEGORIES = [
  "critical_failures",
  "pseudocode_flags",
  "prd_mismatches",
  "broken_pipelines",
  "missing_components",
  "risk_points",
  "verified_components",
] as const;
export type FindingCategory = (typeof FINDING_CATEGORIES)[number];

/** Finding keys only our own code sets (static rules, consensus): never in the schema a model is sent. */
export const OWN_FINDING_KEYS = ["rule", "agreement", "agreed_by"] as const;

export type Finding = Static<typeof FindingSchema>;
export type NextAction = Static<typeof NextActionSchema>;
export type Severity = Finding["severity"];

/** A shard verdict exactly as the schema admits it: the finding lists may be absent. */
export type ShardVerdictAnswer = Static<typeof ShardVerdictSchema>;
/** One shard's verdict, as a reviewer returns it, after absent lists are made explicit. */
export type ShardVerdict = ShardVerdictAnswer & Required<Pick<ShardVerdictAnswer, FindingCategory | "required_next_actions">>;
export type Verdict = ShardVerdict["verdict"];

export type FileFinding = Static<typeof FileFindingSchema>;
/** A finding a user dismissed: out of the lists and the verdict, kept for the record with its category. */
export type DismissedFinding = Static<typeof DismissedFindingSchema>;
/** One shard of a file verdict: `reviewed` (rung, model, verdict, summary) or `unreviewed` (the reasons). */
export type ShardReview = Static<typeof ShardReviewSchema>;
/** The stored verdict of one file: shard verdicts reduced, plus what proves what was looked at. */
export type FileVerdict = Static<typeof FileVerdictSchema>;
export type FileVerdictState = FileVerdict["verdict"];

/** A shard verdict with every list empty: the starting point for verdicts built in code (static rung, markdown reviews). */
export function emptyShardVerdict(verdict: Verdict, alignment_score: number, summary: string): ShardVerdict {
  const lists = Object.fromEntries(FINDING_CATEGORIES.map((c) => [c, [] as Finding[]])) as Record<FindingCategory, Finding[]>;
  return { verdict, alignment_score, summary, ...lists, required_next_actions: [] };
}
