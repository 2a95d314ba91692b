/**
 * The one mapping between the pipeline's values and the KB's rows: snake_case columns and 0/1 flags stop here. A
 * finding, an attempt and a cached answer go in through these functions and findings come back out as StoredFinding.
 */
import type { Attempt } from "../pipeline/review/ladder";
import { FINDING_CATEGORIES, type FileFinding, type FindingCategory, type Severity } from "../pipeline/verdict/verdict";
import type { AttemptRow, FindingRow } from "./kb";

/** A finding as the KB keeps it, read back: the file verdict's finding plus where it belongs. The shape reports, the dashboard and the CLI share. */
export interface StoredFinding {
  path: string;
  category: FindingCategory;
  severity: Severity;
  confidence: number;
  title: string;
  evidence: string;
  line_start: number;
  line_end: number;
  fingerprint: string;
  evidence_verified: boolean;
  shard_index: number | null;
  rule: string | null;
  symbol: string | null;
  agreement: number | null;
  dismissal_id: number | null;
}

/** The `findings` row of one finding of a file verdict. */
export function findingRow(path: string, category: FindingCategory, f: FileFinding, dismissalId: number | null): FindingRow {
  return {
    path,
    category,
    severity: f.severity,
    confidence: f.confidence,
    title: f.title,
    evidence: f.evidence,
    line_start: f.line_start,
    line_end: f.line_end,
    fingerprint: f.fingerprint,
    evidence_verified: f.evidence_verified ? 1 : 0,
    shard_index: f.shard,
    rule: f.rule ?? null,
    symbol: f.symbol ?? null,
    agreement: f.agreement ?? null,
    dismissal_id: dismissalId,
  };
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
  };
}

/** The `attempts` row of one attempt on a file (without the KB's own id, iteration and timestamp); the event stream sends the same. */
export function attemptRow(path: string, a: Attempt): AttemptRow {
  return {
    path,
    shard_index: a.shardIndex,
    rung: a.rung,
    model: a.model,
    outcome: a.outcome,
    reason: a.reason,
    latency_ms: a.latencyMs,
    tokens_in: a.tokensIn,
    tokens_out: a.tokensOut,
    cost_usd: a.costUsd,
    output_format: a.format,
    server: a.server,
    purpose: a.purpose,
    redactions: a.redactions,
    prompt_sha: a.promptSha,
  };
}

/** The shard-cache rows of a file's accepted model answers: the same question is then answered from the KB. */
export function cacheRows(attempts: Attempt[]): Array<{ prompt_sha: string; rung: string; model: string; verdict_json: string; output_format: string | null }> {
  return attempts.flatMap((a) =>
    a.outcome === "accepted" && a.answer !== undefined && a.promptSha !== null
      ? [{ prompt_sha: a.promptSha, rung: a.rung, model: a.model, verdict_json: a.answer, output_format: a.format }]
      : [],
  );
}
