/**
 * The KB the report tests read: iteration 1 is a real offline run over examples/demo-repo (the planted problems),
 * iteration 2 ("dismissals") holds dismissed findings and rule ids (tests/fixtures/report/dismissals-iteration.json),
 * iteration 3 ("crafted") holds the other cases that run never produces (tests/fixtures/report/crafted-iteration.json),
 * iteration 4 ("aborted") stopped early and stored no metrics.
 */
import type { Dismissal, FileRecord, FileReview, StoredAttempt, StoredFinding } from "../../domain/records";
import { openEngine } from "../../kb/engine";
import { testKb } from "../kb/postgres-server";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Kb } from "../../kb/kb";
import { main } from "../../pipeline/cli/main";
import type { CommandContext, Io } from "../../pipeline/cli/context";
import { validateFileVerdict } from "../../pipeline/verdict/verdict";
import { FINDING_CATEGORIES, type FileFinding, type FindingCategory } from "../../domain/verdict";
import { DEMO_REPO } from "../e2e/demo-expected";

export const CRAFTED_FILE = resolve(import.meta.dir, "../fixtures/report/crafted-iteration.json");
export const DISMISSALS_FILE = resolve(import.meta.dir, "../fixtures/report/dismissals-iteration.json");

interface CraftedFile {
  path: string;
  verdict: FileReview["verdict"];
  skip_reason?: string;
  gradient_tier?: FileReview["gradient_tier"];
  alignment_score?: number | null;
  shard_lines?: [number, number][];
  reviewed_shards?: number[];
  unreviewed_reasons?: Record<string, string[]>;
  reduced_by?: string;
  accepted_model?: string | null;
  escalations?: number;
  attempts?: Omit<StoredAttempt, "path" | "latency_ms" | "output_format" | "server" | "purpose">[];
  findings?: Omit<StoredFinding, "path">[];
}

export const CRAFTED: CraftedFile[] = (JSON.parse(readFileSync(CRAFTED_FILE, "utf8")) as { files: CraftedFile[] }).files;

export const DISMISSED: { dismissals: Omit<Dismissal, "id">[]; files: CraftedFile[] } = JSON.parse(readFileSync(DISMISSALS_FILE, "utf8"));

export interface ReportKb {
  dir: string;
  kbFile: string;
  /** A command context on the KB, cwd = the demo repo, capturing stdout and stderr. */
  context: (options?: Partial<Pick<CommandContext, "json" | "quiet">>) => CommandContext & { stdout: () => string; stderr: () => string };
  cleanup: () => void;
}

/** Build the three-iteration KB in a temp folder. */
export async function buildReportKb(): Promise<ReportKb> {
  const dir = mkdtempSync(join(tmpdir(), "scrum-report-"));
  const kbFile = testKb(join(dir, "scrum.db"));
  const quiet: Io = { out: () => {}, err: () => {}, errIsTty: false };
  const code = await main(["run", ".", "--offline", "--label", "iter-1", "--quiet", "--kb", kbFile], {}, quiet, DEMO_REPO, new AbortController().signal);
  if (code !== 0) throw new Error(`the offline run over the demo repo exited ${code}`);

  const dismissalIds = insertDismissals(kbFile, DISMISSED.dismissals);
  const kb = new Kb(kbFile);
  try {
    const dismissed = kb.iterations.start({ label: "dismissals", configJson: "{}", gitCommit: null, targets: ["src/ingest.ts"] });
    for (const f of DISMISSED.files) kb.recordFile(dismissed, craftedRecord(f, dismissalIds));
    kb.metrics.record(dismissed, kb.metrics.computed(dismissed));
    kb.iterations.finish(dismissed, "done");

    const crafted = kb.iterations.start({ label: "crafted", configJson: "{}", gitCommit: "0123456789abcdef0123456789abcdef01234567", targets: ["src", "docs", "assets"] });
    for (const f of CRAFTED) kb.recordFile(crafted, craftedRecord(f));
    kb.metrics.record(crafted, { ...kb.metrics.computed(crafted), wall_ms: 4321 });
    kb.iterations.finish(crafted, "done");

    const aborted = kb.iterations.start({ label: "aborted", configJson: "{}", gitCommit: null, targets: ["src"] });
    kb.recordFile(aborted, craftedRecord(CRAFTED[0]!));
    kb.iterations.finish(aborted, "aborted", "interrupted");
  } finally {
    kb.close();
  }

  return {
    dir,
    kbFile,
    context: (options = {}) => {
      let out = "";
      let err = "";
      return {
        cwd: DEMO_REPO,
        env: {},
        io: { out: (t) => void (out += t), err: (t) => void (err += t), errIsTty: false },
        json: options.json ?? false,
        quiet: options.quiet ?? false,
        kbFlag: kbFile,
        stdout: () => out,
        stderr: () => err,
      };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Write the dismissals rows straight into the KB file. The KB has no writer for them yet (`scrum dismiss` is being
 * written); the report only reads them. Returns fingerprint → dismissal id.
 */
function insertDismissals(kbFile: string, rows: Omit<Dismissal, "id">[]): Map<string, number> {
  new Kb(kbFile).close(); // migrated, so the table exists
  const db = openEngine(kbFile);
  try {
    const insert = db.query("INSERT INTO dismissals (fingerprint, path, reason, created_at, undone_at) VALUES (?, ?, ?, ?, ?)");
    return new Map(rows.map((d) => [d.fingerprint, Number(insert.run(d.fingerprint, d.path, d.reason, d.created_at, d.undone_at).lastInsertRowid)]));
  } finally {
    db.close();
  }
}

/** The stored record of a crafted file: counts, error text and a schema-valid review_json derived as review-file.ts does. */
function craftedRecord(f: CraftedFile, dismissalIds: Map<string, number> = new Map()): FileRecord {
  const findings: StoredFinding[] = (f.findings ?? []).map((x) => ({ ...x, evidence_verified: Boolean(x.evidence_verified), path: f.path, dismissal_id: dismissalIds.get(x.fingerprint) ?? null }));
  const attempts: StoredAttempt[] = (f.attempts ?? []).map((a) => ({ ...a, path: f.path, latency_ms: 1200, output_format: a.outcome === "accepted" ? "forensic_json" : null, server: null, purpose: "review" }));
  const shardLines = f.shard_lines ?? [];
  const reviewed = f.reviewed_shards ?? [];
  const reasons = f.unreviewed_reasons ?? {};
  const problems = findings.filter((x) => x.category !== "verified_components");
  const count = (c: string) => findings.filter((x) => x.category === c).length;
  const error = Object.entries(reasons)
    .map(([i, why]) => `shard ${Number(i) + 1} (lines ${shardLines[Number(i)]![0]}-${shardLines[Number(i)]![1]}): ${why.join("; ")}`)
    .join("\n");
  const skipped = f.verdict === "skipped";
  const review: FileRecord["review"] = {
    path: f.path,
    content_sha: skipped ? null : "c0ffee",
    verdict: f.verdict,
    alignment_score: f.alignment_score ?? null,
    output_format: skipped || reviewed.length === 0 ? null : "forensic_json",
    confidence_avg: findings.length ? findings.reduce((s, x) => s + x.confidence, 0) / findings.length : null,
    confidence_min: findings.length ? Math.min(...findings.map((x) => x.confidence)) : null,
    gradient_tier: f.gradient_tier ?? null,
    findings_count: problems.length,
    critical_failures_count: count("critical_failures"),
    missing_components_count: count("missing_components"),
    verified_components_count: count("verified_components"),
    shards: shardLines.length,
    tree_split_fired: shardLines.length > 1,
    attempts_made: attempts.length,
    thin_rejections: attempts.filter((a) => a.outcome === "thin").length,
    escalations: f.escalations ?? 0,
    accepted_model: f.accepted_model ?? null,
    tokens_in: attempts.reduce((s, a) => s + a.tokens_in, 0),
    tokens_out: attempts.reduce((s, a) => s + a.tokens_out, 0),
    cost_usd: attempts.reduce((s, a) => s + a.cost_usd, 0),
    latency_ms: skipped ? 0 : 2400,
    review_json: skipped ? null : reviewJson(f, findings, shardLines, reviewed, reasons),
    error: error === "" ? null : error,
    skip_reason: f.skip_reason ?? null,
    coverage_complete: skipped ? null : reviewed.length === shardLines.length,
    evidence_unverified: findings.filter((x) => !x.evidence_verified).length,
    reduced_by: f.reduced_by ?? null,
    shard_strategy: skipped ? null : shardLines.length > 1 ? "tree-sitter" : "whole",
  };
  return { review, findings, attempts };
}

function reviewJson(f: CraftedFile, findings: StoredFinding[], shardLines: [number, number][], reviewed: number[], reasons: Record<string, string[]>): string {
  const lists = Object.fromEntries(FINDING_CATEGORIES.map((c) => [c, [] as FileFinding[]])) as Record<FindingCategory, FileFinding[]>;
  for (const x of findings) {
    lists[x.category as FindingCategory].push({
      title: x.title, evidence: x.evidence, line_start: x.line_start, line_end: x.line_end, severity: x.severity,
      confidence: x.confidence, fingerprint: x.fingerprint, evidence_verified: x.evidence_verified, shard: x.shard_index ?? 0,
      ...(x.rule ? { rule: x.rule } : {}),
    });
  }
  const verdict = {
    path: f.path,
    verdict: f.verdict,
    alignment_score: f.alignment_score ?? null,
    summary: `crafted review of ${f.path}`,
    ...lists,
    required_next_actions: [],
    shards: shardLines.length,
    coverage: reviewed,
    coverage_complete: reviewed.length === shardLines.length,
    shard_reviews: shardLines.map(([line_start, line_end], index) =>
      reviewed.includes(index)
        ? { index, line_start, line_end, status: "reviewed", rung: "local", model: "qwen2.5-coder:7b", verdict: "needs_patch", summary: `shard ${index}` }
        : { index, line_start, line_end, status: "unreviewed", reasons: reasons[String(index)] ?? [] },
    ),
    reduced_by: f.reduced_by ?? "merge",
  };
  const checked = validateFileVerdict(verdict);
  if (!checked.ok) throw new Error(`crafted verdict of ${f.path} fails the file-verdict schema: ${checked.errors.join("; ")}`);
  return JSON.stringify(verdict);
}
