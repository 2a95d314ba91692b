/** The reduce stage: shard verdicts in, one file verdict out, with the coverage that proves what was looked at. */
import { createHash } from "node:crypto";
import { cleanEvidence, indexEvidence, locateEvidence } from "./evidence";
import type { Shard } from "../shard/types";
import { PENALTY } from "../static/scan";
import { FINDING_CATEGORIES, type Finding, type FileFinding, type FileVerdict, type FindingCategory, type ShardReview, type ShardVerdict, type Verdict } from "../../domain/verdict";

/** What the ladder settled for one shard. */
export type ShardResult =
  | { status: "reviewed"; shard: Shard; verdict: ShardVerdict; rung: string; model: string }
  | { status: "unreviewed"; shard: Shard; reasons: string[] };

const SEVERITY_RANK = { high: 3, medium: 2, low: 1 } as const;
const VERDICT_RANK: Record<Verdict, number> = { pass: 0, needs_patch: 1, fail: 2 };

/**
 * Stable identity of a finding across iterations: file, category, the quoted evidence and which occurrence of it in the
 * file (not line numbers, which move when code above changes). Unverified evidence has no place; its title stands in.
 */
export function fingerprint(path: string, category: FindingCategory, finding: { title: string; evidence: string }, occurrence: number): string {
  const evidence = cleanEvidence(finding.evidence).toLowerCase();
  const key = occurrence >= 0 ? `${evidence}\u0000${occurrence}` : `unverified\u0000${evidence}\u0000${finding.title.toLowerCase().trim()}`;
  return createHash("sha256").update(`${path}\u0000${category}\u0000${key}`).digest("hex").slice(0, 16);
}

/** A confidence as stored and shown: a whole number on the 0–100 scale (a model's 73.33333333 is 73; 0.85 is 1). */
export function wholeConfidence(confidence: number): number {
  return Math.round(confidence);
}

/** The worse of two verdicts. */
export function worstVerdict(a: Verdict, b: Verdict): Verdict {
  return VERDICT_RANK[a] >= VERDICT_RANK[b] ? a : b;
}

/**
 * Deterministic merge. Findings: union over shards, evidence checked against the file and lines corrected, de-duplicated
 * by fingerprint. Verdict: the worst reviewed verdict; a file with an unreviewed shard is never `pass` (it becomes
 * `unreviewed`), and a `fail` resting only on unverified evidence drops to `needs_patch`.
 */
export function mergeShardResults(path: string, fileLines: string[], results: ShardResult[]): FileVerdict {
  const index = indexEvidence(fileLines);
  const lists = Object.fromEntries(FINDING_CATEGORIES.map((c) => [c, [] as FileFinding[]])) as Record<FindingCategory, FileFinding[]>;
  const seen = new Map<string, FileFinding>();
  const actions = new Map<string, FileVerdict["required_next_actions"][number]>();
  const reviewed = results.filter((r): r is Extract<ShardResult, { status: "reviewed" }> => r.status === "reviewed");

  for (const r of reviewed) {
    for (const category of FINDING_CATEGORIES) {
      for (const f of r.verdict[category]) {
        const where = locateEvidence(f, index, r.shard);
        const fp = fingerprint(path, category, f, where.occurrence);
        const finding: FileFinding = {
          title: f.title,
          evidence: f.evidence,
          line_start: where.lineStart,
          line_end: where.lineEnd,
          severity: f.severity,
          confidence: wholeConfidence(f.confidence),
          fingerprint: fp,
          evidence_verified: where.verified,
          shard: r.shard.index,
          ...(f.rule !== undefined ? { rule: f.rule } : {}),
          ...(f.agreement !== undefined ? { agreement: f.agreement, agreed_by: f.agreed_by ?? [] } : {}),
        };
        const prior = seen.get(fp);
        if (prior) {
          // The same finding from two shards (preamble overlap): keep one, the stronger claim.
          prior.confidence = Math.max(prior.confidence, finding.confidence);
          if (SEVERITY_RANK[finding.severity] > SEVERITY_RANK[prior.severity]) prior.severity = finding.severity;
          prior.evidence_verified ||= finding.evidence_verified;
          continue;
        }
        seen.set(fp, finding);
        lists[category].push(finding);
      }
    }
    for (const a of r.verdict.required_next_actions) {
      const key = a.action.toLowerCase().replace(/\s+/g, " ").trim();
      const prior = actions.get(key);
      if (prior) prior.confidence = Math.max(prior.confidence, wholeConfidence(a.confidence));
      else actions.set(key, { action: a.action, priority: a.priority, confidence: wholeConfidence(a.confidence), shard: r.shard.index });
    }
  }
  for (const c of FINDING_CATEGORIES) lists[c].sort((a, b) => a.line_start - b.line_start || a.title.localeCompare(b.title));

  const shardReviews: ShardReview[] = results.map((r) =>
    r.status === "reviewed"
      ? { index: r.shard.index, line_start: r.shard.lineStart, line_end: r.shard.lineEnd, status: "reviewed", rung: r.rung, model: r.model, verdict: r.verdict.verdict, summary: r.verdict.summary }
      : { index: r.shard.index, line_start: r.shard.lineStart, line_end: r.shard.lineEnd, status: "unreviewed", reasons: r.reasons },
  );
  const complete = reviewed.length === results.length && results.length > 0;
  const verdict = mergedVerdict(reviewed.map((r) => r.verdict.verdict), complete, lists);
  return {
    path,
    verdict,
    alignment_score: weightedScore(reviewed),
    summary: mergedSummary(results, complete),
    ...lists,
    required_next_actions: [...actions.values()],
    shards: results.length,
    coverage: reviewed.map((r) => r.shard.index),
    coverage_complete: complete,
    shard_reviews: shardReviews,
    reduced_by: "merge",
  };
}

/**
 * Add the findings of a check that read the whole file without a model (the injection check, the static floor) to a
 * merged verdict: evidence located and fingerprinted like a shard's, attributed to the shard holding the line,
 * de-duplicated. Such a finding stands whatever the models said, so a reviewed file with a `medium` or `high` one is
 * never `pass`; a `low` one is informational (docs/STATIC.md, "Which rules raise verdicts") and leaves the verdict be.
 */
export function addFileFindings(verdict: FileVerdict, category: FindingCategory, findings: Finding[], fileLines: string[], shards: Shard[]): FileVerdict {
  if (findings.length === 0) return verdict;
  const index = indexEvidence(fileLines);
  const known = new Set(verdict[category].map((f) => f.fingerprint));
  const added: FileFinding[] = [];
  for (const f of findings) {
    const shard = shards.find((s) => f.line_start >= s.lineStart && f.line_start <= s.lineEnd) ?? shards[0]!;
    const where = locateEvidence(f, index, shard);
    const fp = fingerprint(verdict.path, category, f, where.occurrence);
    if (known.has(fp)) continue;
    known.add(fp);
    added.push({ ...f, line_start: where.lineStart, line_end: where.lineEnd, confidence: wholeConfidence(f.confidence), fingerprint: fp, evidence_verified: where.verified, shard: shard.index });
  }
  const list = [...verdict[category], ...added].sort((a, b) => a.line_start - b.line_start || a.title.localeCompare(b.title));
  const raises = added.some((f) => f.severity !== "low");
  // Each finding that joins lowers the score as the static rung scores its own: a needs_patch left at 10/10 read as a
  // contradiction (BurntSushi/toml's CONTRIBUTING.md, an injection addressed to AI agents, on a clean static review).
  const lost = added.reduce((sum, f) => sum + PENALTY[f.severity], 0);
  const alignment_score = verdict.alignment_score === null ? null : Math.round(Math.max(0, verdict.alignment_score - lost) * 10) / 10;
  return { ...verdict, [category]: list, alignment_score, verdict: raises && verdict.verdict === "pass" ? "needs_patch" : verdict.verdict };
}

function mergedVerdict(verdicts: Verdict[], complete: boolean, lists: Record<FindingCategory, FileFinding[]>): FileVerdict["verdict"] {
  if (verdicts.length === 0) return "unreviewed";
  let worst = verdicts.reduce(worstVerdict);
  if (worst === "fail" && !hasVerifiedProblem(lists)) worst = "needs_patch";
  // Findings whose evidence is not in the file do not raise the verdict: when they are all there is, it stands at pass.
  const problems = FINDING_CATEGORIES.filter((c) => c !== "verified_components").flatMap((c) => lists[c]);
  if (worst !== "pass" && problems.length > 0 && problems.every((f) => !f.evidence_verified)) worst = "pass";
  if (!complete && worst === "pass") return "unreviewed";
  return worst;
}

/** A fail needs at least one verified critical failure or high-severity problem behind it. */
function hasVerifiedProblem(lists: Record<FindingCategory, FileFinding[]>): boolean {
  return FINDING_CATEGORIES.some(
    (c) => c !== "verified_components" && lists[c].some((f) => f.evidence_verified && (c === "critical_failures" || f.severity === "high")),
  );
}

/** Alignment score of the file: the shards' scores weighted by their size, one decimal. */
function weightedScore(reviewed: Array<{ shard: Shard; verdict: ShardVerdict }>): number | null {
  if (reviewed.length === 0) return null;
  const total = reviewed.reduce((s, r) => s + Math.max(1, r.shard.chars), 0);
  const sum = reviewed.reduce((s, r) => s + r.verdict.alignment_score * Math.max(1, r.shard.chars), 0);
  return Math.round((sum / total) * 10) / 10;
}

function mergedSummary(results: ShardResult[], complete: boolean): string {
  if (results.length === 1) {
    const only = results[0]!;
    return only.status === "reviewed" ? only.verdict.summary : `Unreviewed: ${only.reasons.join("; ")}`;
  }
  const head = complete
    ? `Merged from all ${results.length} shards.`
    : `Partial coverage: ${results.filter((r) => r.status === "reviewed").length} of ${results.length} shards reviewed.`;
  const parts = results.map((r) =>
    r.status === "reviewed"
      ? `[shard ${r.shard.index + 1}, lines ${r.shard.lineStart}-${r.shard.lineEnd}] ${r.verdict.summary}`
      : `[shard ${r.shard.index + 1}, lines ${r.shard.lineStart}-${r.shard.lineEnd}] UNREVIEWED: ${r.reasons.join("; ")}`,
  );
  return [head, ...parts].join("\n");
}
