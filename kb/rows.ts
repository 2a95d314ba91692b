/**
 * The one mapping between the domain's values (domain/records.ts) and the KB's rows: 0/1 flags and JSON text stop
 * here, both ways. Nothing outside kb/ imports this module.
 */
import type { AttemptRecord, FileReview, Iteration, IterationStatus, StateEntry, StoredFinding } from "../domain/records";
import { FINDING_CATEGORIES, type FindingCategory } from "../domain/verdict";

/** An `iterations` row: targets as JSON text. */
export interface IterationRow extends Omit<Iteration, "targets" | "partition" | "partition_json" | "group_name"> {
  status: IterationStatus;
  targets_json: string;
  partition?: string | null;
  partition_json?: string | null;
  group_name?: string | null;
}

/** A `file_reviews` row: flags as 0/1. */
export interface FileReviewRow extends Omit<FileReview, "tree_split_fired" | "coverage_complete" | "instructions" | "reviewer" | "degraded_reason"> {
  tree_split_fired: number;
  coverage_complete: number | null;
  instructions?: string | null;
  reviewer?: FileReview["reviewer"];
  degraded_reason?: string | null;
}

/** A `findings` row: the category as text, the evidence flag as 0/1, later columns possibly absent in a write. */
export interface FindingRow extends Omit<StoredFinding, "category" | "evidence_verified"> {
  category: string;
  evidence_verified: number;
}

/** A `state` row: flags as 0/1. */
export interface StateRow extends Omit<StateEntry, "stale" | "degraded"> {
  stale: number;
  degraded: number;
}

/** An `attempts` row is an attempt record as it is. */
export type AttemptRow = AttemptRecord;

export function iterationOf(row: IterationRow): Iteration {
  const { targets_json, ...rest } = row;
  return { ...rest, targets: JSON.parse(targets_json) as string[], partition: row.partition ?? null, partition_json: row.partition_json ?? null, group_name: row.group_name ?? null };
}

export function reviewOf(row: FileReviewRow): FileReview {
  return {
    ...row,
    tree_split_fired: row.tree_split_fired === 1,
    coverage_complete: row.coverage_complete === null ? null : row.coverage_complete === 1,
    instructions: row.instructions ?? null,
    reviewer: row.reviewer ?? null,
    degraded_reason: row.degraded_reason ?? null,
  };
}

export function reviewRow(review: Omit<FileReview, "iteration_id">): Omit<FileReviewRow, "iteration_id"> {
  return { ...review, tree_split_fired: review.tree_split_fired ? 1 : 0, coverage_complete: review.coverage_complete === null ? null : review.coverage_complete ? 1 : 0 };
}

export function findingRowOf(f: StoredFinding): FindingRow {
  return { ...f, evidence_verified: f.evidence_verified ? 1 : 0 };
}

export function stateEntryOf(row: StateRow): StateEntry {
  return { ...row, stale: row.stale === 1, degraded: row.degraded === 1 };
}

export function stateRowOf(e: StateEntry): StateRow {
  return { ...e, stale: e.stale ? 1 : 0, degraded: e.degraded ? 1 : 0 };
}

/** A stored finding from its row; a category the schema does not know is a corrupt row, said as such. */
export function storedFinding(r: FindingRow): StoredFinding {
  if (!(FINDING_CATEGORIES as readonly string[]).includes(r.category)) {
    throw new Error(`${r.path}: finding category "${r.category}" is not one of ${FINDING_CATEGORIES.join(", ")}`);
  }
  return {
    path: r.path,
    category: r.category as FindingCategory,
    severity: r.severity,
    confidence: r.confidence,
    title: r.title,
    evidence: r.evidence,
    line_start: r.line_start,
    line_end: r.line_end,
    fingerprint: r.fingerprint,
    evidence_verified: r.evidence_verified === 1,
    shard_index: r.shard_index,
    rule: r.rule,
    symbol: r.symbol,
    agreement: r.agreement,
    dismissal_id: r.dismissal_id,
    disposition: r.disposition ?? null,
    verified_by: r.verified_by ?? null,
    verify_reason: r.verify_reason ?? null,
    rung: r.rung ?? null,
  };
}

