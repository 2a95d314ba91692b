/**
 * What a finished file writes to the knowledge base, made from what the file pipeline settled (domain/outcome.ts):
 * its review, its findings (dismissed and refuted ones kept), its attempts and the answers kept for the shard cache.
 * Pure: kb/ stores the record as rows.
 */
import type { Attempt } from "./attempt";
import type { FileOutcome } from "./outcome";
import type { AttemptRecord, CachedAnswerRecord, FileRecord, FileReview, StoredFinding } from "./records";
import { FINDING_CATEGORIES, type FileFinding, type FileVerdict, type FindingCategory } from "./verdict";

/** One finding of a file verdict as stored. */
export function storedFindingOf(path: string, category: FindingCategory, f: FileFinding, dismissalId: number | null, rung: string | null = null): StoredFinding {
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
    evidence_verified: f.evidence_verified,
    shard_index: f.shard,
    rule: f.rule ?? null,
    symbol: f.symbol ?? null,
    agreement: f.agreement ?? null,
    dismissal_id: dismissalId,
    disposition: f.disposition ?? null,
    verified_by: f.verified_by ?? null,
    verify_reason: f.verify_reason ?? null,
    rung,
  };
}

/** One attempt on a file as stored (without the KB's own id, iteration and timestamp); the event stream sends the same. */
export function attemptRecord(path: string, a: Attempt): AttemptRecord {
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
export function cacheRows(attempts: Attempt[]): CachedAnswerRecord[] {
  return attempts.flatMap((a) =>
    a.outcome === "accepted" && a.answer !== undefined && a.promptSha !== null
      ? [{ prompt_sha: a.promptSha, rung: a.rung, model: a.model, verdict_json: a.answer, output_format: a.format }]
      : [],
  );
}

/** The verdict a file's row carries: the file verdict's, or `skipped`. */
export function outcomeVerdict(o: FileOutcome): FileReview["verdict"] {
  return o.kind === "skipped" ? "skipped" : o.verdict.verdict;
}

/** Every row one finished file writes: its review, findings (dismissed ones with their dismissal), attempts, cache. */
export function fileRecord(o: FileOutcome): FileRecord {
  if (o.kind === "skipped") return { review: { ...emptyReview(o.path), verdict: "skipped", skip_reason: o.reason }, findings: [], attempts: [] };
  const { verdict, attempts } = o;
  const unreviewed = verdict.shard_reviews.flatMap((s) => (s.status === "unreviewed" ? [`shard ${s.index + 1} (lines ${s.line_start}-${s.line_end}): ${s.reasons.join("; ")}`] : []));
  return {
    review: {
      ...emptyReview(o.path),
      content_sha: o.sha,
      verdict: verdict.verdict,
      alignment_score: verdict.alignment_score,
      output_format: o.outputFormat,
      confidence_avg: o.confidence.avg,
      confidence_min: o.confidence.min,
      gradient_tier: o.tier,
      findings_count: o.counts.findings,
      critical_failures_count: o.counts.criticalFailures,
      missing_components_count: o.counts.missingComponents,
      verified_components_count: o.counts.verifiedComponents,
      evidence_unverified: o.counts.evidenceUnverified,
      shards: o.shards,
      tree_split_fired: o.shards > 1,
      attempts_made: attempts.length,
      thin_rejections: attempts.filter((a) => a.outcome === "thin").length,
      escalations: o.escalations,
      accepted_model: o.acceptedModels.length > 0 ? o.acceptedModels.join(", ") : null,
      tokens_in: attempts.reduce((s, a) => s + a.tokensIn, 0),
      tokens_out: attempts.reduce((s, a) => s + a.tokensOut, 0),
      cost_usd: attempts.reduce((s, a) => s + a.costUsd, 0),
      latency_ms: o.latencyMs,
      review_json: JSON.stringify(verdict),
      error: unreviewed.length > 0 ? unreviewed.join("\n") : null,
      coverage_complete: verdict.coverage_complete,
      reduced_by: verdict.reduced_by,
      shard_strategy: o.strategy,
      instructions: o.instructions,
      reviewer: o.reviewer,
      degraded_reason: o.degradedReason,
    },
    findings: [
      ...FINDING_CATEGORIES.flatMap((category) => verdict[category].map((f) => storedFindingOf(o.path, category, f, null, producerOf(verdict, f)))),
      ...(verdict.refuted ?? []).map((f) => storedFindingOf(o.path, f.category, f, null, producerOf(verdict, f))),
      ...(verdict.dismissed ?? []).map((f) => storedFindingOf(o.path, f.category, f, f.dismissal_id, producerOf(verdict, f))),
    ],
    attempts: attempts.map((a) => attemptRecord(o.path, a)),
    cache: cacheRows(attempts),
  };
}

/** The rung whose answer produced a finding: "static" for a deterministic rule, else its shard's accepted rung. */
function producerOf(verdict: FileVerdict, f: FileFinding): string | null {
  if (f.rule !== undefined) return "static";
  const shard = verdict.shard_reviews.find((s) => s.index === f.shard);
  return shard?.status === "reviewed" ? shard.rung : null;
}

function emptyReview(path: string): FileRecord["review"] {
  return {
    path, content_sha: null, verdict: "skipped", alignment_score: null, output_format: null, confidence_avg: null, confidence_min: null,
    gradient_tier: null, findings_count: 0, critical_failures_count: 0, missing_components_count: 0, verified_components_count: 0, shards: 0,
    tree_split_fired: false, attempts_made: 0, thin_rejections: 0, escalations: 0, accepted_model: null, tokens_in: 0, tokens_out: 0, cost_usd: 0,
    latency_ms: 0, review_json: null, error: null, skip_reason: null, coverage_complete: null, evidence_unverified: 0, reduced_by: null,
    shard_strategy: null, instructions: null, reviewer: null, degraded_reason: null,
  };
}
