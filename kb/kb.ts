/**
 * The knowledge base: one SQLite file (WAL) or one PostgreSQL database, versioned migrations, append-only. The only
 * module that speaks SQL (the engine is chosen by the location: kb/engine.ts).
 */
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { UsageError } from "../domain/errors";
import { historyCounts, allMetrics, iterationMetrics, outcomeMetrics, type HistoryRow, type Metrics } from "./aggregates";
import { answersOf, lookupAnswer, storeAnswer, type CachedAnswer } from "./cache";
import { activeDismissals, addDismissal, fingerprintsWithPrefix, undoDismissal, type FingerprintMatch } from "./dismissals";
import { readDiskStats, readMeta, writeDiskStats, writeMeta, type DiskStat } from "./disk";
import { isPostgresLocation, openEngine, showLocation, type Engine } from "./engine";
import { checkFindingsHaveReviews, checkIterationRow, checkReviewRow, checkSchema } from "./integrity";
import { checkPostgresSchema, migratePostgres, postgresSchemaVersion } from "./postgres/schema";
import { overturnCounts, rungTotals, type RungTotals } from "./rungs";
import { claimNext, enqueue, finishClaim, outstandingShares, queueProgress, queueRows, releaseClaims, renewClaims, type QueueProgress, type QueueRow } from "./queue";
import type { OverturnCount } from "../domain/overturn";
import type { Reviewer } from "../domain/outcome";
import { countingFindings, dismissedSinceRecorded, latestStateIteration, readState, stateFindings, writeState, type DismissedNow, type FileCounts, type StateRow } from "./state";

const MIGRATIONS_DIR = join(import.meta.dir, "migrations");
const MIGRATION_FILES = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();

export type IterationStatus = "running" | "done" | "aborted";

export interface IterationRow {
  id: number;
  label: string | null;
  status: IterationStatus;
  started_at: string;
  finished_at: string | null;
  config_json: string;
  git_commit: string | null;
  targets_json: string;
  error: string | null;
  /** Who runs (or ran) the iteration, and when it last said it was alive. */
  host: string | null;
  pid: number | null;
  heartbeat_at: string | null;
  /** `K/N` for an iteration that reviewed one share of its planned files (`scrum run --partition`); null otherwise (migration 012). */
  partition?: string | null;
  /** A share: the split it came from; a merged iteration: what `scrum kb merge` joined (pipeline/run/partition.ts). */
  partition_json?: string | null;
  /** The group of workers sharing this iteration (`scrum run --workers --iteration-group NAME`, migration 013); null otherwise. */
  group_name?: string | null;
}

export interface FileReviewRow {
  iteration_id: number;
  path: string;
  content_sha: string | null;
  verdict: "pass" | "fail" | "needs_patch" | "unreviewed" | "skipped";
  alignment_score: number | null;
  output_format: string | null;
  confidence_avg: number | null;
  confidence_min: number | null;
  gradient_tier: "auto" | "review" | "block" | null;
  findings_count: number;
  critical_failures_count: number;
  missing_components_count: number;
  verified_components_count: number;
  shards: number;
  tree_split_fired: number;
  attempts_made: number;
  thin_rejections: number;
  escalations: number;
  accepted_model: string | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  latency_ms: number;
  review_json: string | null;
  error: string | null;
  skip_reason: string | null;
  coverage_complete: number | null;
  evidence_unverified: number;
  reduced_by: string | null;
  shard_strategy: string | null;
  /** The repository rules the review used: JSON array of {file, sha, paths}; null when none applied. */
  instructions: string | null;
  /** Which kind of reviewer produced the review (migration 005); null when no rung reviewed it, or for older rows. */
  reviewer: Reviewer | null;
  /** For a `static_fallback` review: why the model rungs gave up on the shards the static rung answered. */
  degraded_reason: string | null;
}

export type { Reviewer };

export interface FindingRow {
  path: string;
  category: string;
  severity: "high" | "medium" | "low";
  confidence: number;
  title: string;
  evidence: string;
  line_start: number;
  line_end: number;
  fingerprint: string;
  evidence_verified: number;
  shard_index: number | null;
  /** The static rule id, or null for a model's finding. */
  rule: string | null;
  /** The enclosing symbol the shard plan names (part of the fingerprint). */
  symbol: string | null;
  /** How many consensus answers reported the finding; null without consensus. */
  agreement: number | null;
  /** The dismissal keeping the finding out of verdicts and metrics; null when it counts. */
  dismissal_id: number | null;
  /** [verify]: confirmed, refuted (kept, counts nowhere) or uncertain; null when not verified. */
  disposition: "confirmed" | "refuted" | "uncertain" | null;
  /** [verify]: the model whose answer set the disposition. */
  verified_by: string | null;
  /** [verify]: the verifier's reason, or why the finding was not verified. */
  verify_reason: string | null;
  /** The rung whose answer produced the finding ("static" for a deterministic rule); null in rows older than [verify]. */
  rung: string | null;
}

export interface AttemptRow {
  path: string;
  shard_index: number;
  rung: string;
  model: string;
  outcome: "accepted" | "thin" | "invalid" | "error" | "timeout" | "cached" | "skipped" | "refused";
  reason: string | null;
  latency_ms: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  output_format: string | null;
  server: string | null;
  purpose: "review" | "reduce" | "verify";
  /** Secrets masked in what was sent (cloud rungs). */
  redactions: number;
  /** Hash of model, rendered prompt and schema: the shard cache key. */
  prompt_sha: string | null;
}

export interface DismissalRow {
  id: number;
  fingerprint: string;
  path: string;
  reason: string;
  created_at: string;
  undone_at: string | null;
}

export interface NoteRow {
  id: number;
  path: string;
  text: string;
  status: "open" | "picked_up" | "resolved";
  created_in: number | null;
  picked_up_in: number | null;
  created_at: string;
}

/** Columns added after the first version: a writer may leave them out and gets their defaults. */
const FINDING_DEFAULTS = {
  rule: null, symbol: null, agreement: null, dismissal_id: null, disposition: null, verified_by: null, verify_reason: null, rung: null,
} satisfies Partial<FindingRow>;
const ATTEMPT_DEFAULTS = { redactions: 0, prompt_sha: null } satisfies Partial<AttemptRow>;
const REVIEW_DEFAULTS = { instructions: null, reviewer: null, degraded_reason: null } satisfies Partial<FileReviewRow>;
export type FindingInput = Omit<FindingRow, keyof typeof FINDING_DEFAULTS> & Partial<FindingRow>;
export type AttemptInput = Omit<AttemptRow, keyof typeof ATTEMPT_DEFAULTS> & Partial<AttemptRow>;

/** Everything stored for one finished file, written in one transaction. */
export interface FileRecord {
  review: Omit<FileReviewRow, "iteration_id" | keyof typeof REVIEW_DEFAULTS> & Partial<FileReviewRow>;
  findings: FindingInput[];
  attempts: AttemptInput[];
  /** Accepted model answers to keep for the shard cache. */
  cache?: Array<Omit<CachedAnswer, "iteration_id"> & { prompt_sha: string }>;
}

/** Who runs an iteration. */
export interface Owner {
  host: string;
  pid: number;
}

/** This process on this host. */
export function thisProcess(): Owner {
  return { host: hostname(), pid: process.pid };
}

const REVIEW_COLUMNS: (keyof Omit<FileReviewRow, "iteration_id">)[] = [
  "path", "content_sha", "verdict", "alignment_score", "output_format", "confidence_avg", "confidence_min",
  "gradient_tier", "findings_count", "critical_failures_count", "missing_components_count",
  "verified_components_count", "shards", "tree_split_fired", "attempts_made", "thin_rejections", "escalations",
  "accepted_model", "tokens_in", "tokens_out", "cost_usd", "latency_ms", "review_json", "error", "skip_reason",
  "coverage_complete", "evidence_unverified", "reduced_by", "shard_strategy", "instructions", "reviewer", "degraded_reason",
];
const FINDING_COLUMNS: (keyof FindingRow)[] = [
  "path", "category", "severity", "confidence", "title", "evidence", "line_start", "line_end", "fingerprint",
  "evidence_verified", "shard_index", "rule", "symbol", "agreement", "dismissal_id", "disposition", "verified_by",
  "verify_reason", "rung",
];
const ATTEMPT_COLUMNS: (keyof AttemptRow)[] = [
  "path", "shard_index", "rung", "model", "outcome", "reason", "latency_ms", "tokens_in", "tokens_out", "cost_usd",
  "output_format", "server", "purpose", "redactions", "prompt_sha",
];

function insertSql(table: string, columns: readonly string[], extra: string[] = []): string {
  const all = [...extra, ...columns];
  return `INSERT INTO ${table} (${all.join(", ")}) VALUES (${all.map((c) => `@${c}`).join(", ")})`;
}

/** An open knowledge base. `now` is injected so tests control timestamps. */
export class Kb {
  /** The connection; for the kb/ modules only (the rest of the code speaks through methods). */
  readonly db: Engine;
  /** Append-only triggers found dropped or altered at open and put back (the KB was changed outside scrum). */
  readonly restoredTriggers: string[] = [];
  private readonly now: () => Date;
  /** The KB's location as messages name it (a URL's password hidden). */
  private readonly file: string;

  constructor(location: string, options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
    this.file = showLocation(location);
    if (location !== ":memory:" && !isPostgresLocation(location)) mkdirSync(dirname(location), { recursive: true });
    this.db = openEngine(location);
    try {
      if (this.db.dialect === "postgres") {
        this.checkVersion();
        migratePostgres(this.db, MIGRATION_FILES);
        this.restoredTriggers = checkPostgresSchema(this.db, this.file);
        return;
      }
      // A concurrent run or reader waits for the lock instead of failing with "database is locked".
      this.db.exec("PRAGMA busy_timeout = 10000");
      // Read the version before anything writes: a file that is not SQLite, or from a newer scrum, is left untouched.
      this.checkVersion();
      this.db.exec("PRAGMA journal_mode = WAL");
      // In WAL mode NORMAL never corrupts and a killed process loses nothing committed; only a power cut can drop the
      // last few commits, which --resume reviews again. FULL would fsync every file's row (a third of a sweep's CPU).
      this.db.exec("PRAGMA synchronous = NORMAL");
      this.db.exec("PRAGMA foreign_keys = ON");
      this.migrate();
      // A writer that is not scrum (the sqlite3 shell) can drop a trigger; it is put back before anything is read.
      this.restoredTriggers = checkSchema(this.db, this.file, () => MIGRATION_FILES.map((f) => readFileSync(join(MIGRATIONS_DIR, f), "utf8")));
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  private checkVersion(): void {
    let version: number;
    try {
      version = this.schemaVersion;
    } catch (e) {
      const message = (e as Error).message;
      if (this.db.dialect === "postgres") {
        throw new UsageError(`cannot use the knowledge base ${this.file}: ${message}; start the PostgreSQL server or fix --kb / $SCRUM_KB`);
      }
      if (/not a database|file is encrypted|malformed/i.test(message)) {
        throw new UsageError(`${this.file} is not a scrum knowledge base (not an SQLite file); pass --kb with another file, or move it away`);
      }
      throw e;
    }
    if (version > MIGRATION_FILES.length) {
      throw new UsageError(`${this.file} has knowledge-base schema version ${version}, newer than this scrum knows (${MIGRATION_FILES.length}); upgrade scrum (the file was not changed)`);
    }
  }

  close(): void {
    if (this.db.dialect === "sqlite" && this.db.inTransaction) this.db.exec("ROLLBACK");
    this.db.close();
  }

  /**
   * Read everything from here to close() from one consistent snapshot (a deferred read transaction): a run writing
   * meanwhile is seen as it was at the first read, never half a file's rows. For read-only commands.
   */
  beginSnapshot(): void {
    this.db.beginSnapshot();
  }

  /** The schema version (the number of applied migrations). */
  get schemaVersion(): number {
    if (this.db.dialect === "postgres") return postgresSchemaVersion(this.db);
    return (this.db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  }

  /** Apply missing migrations, each in a write transaction that re-reads the version: two first opens never both migrate. */
  private migrate(): void {
    if (this.schemaVersion >= MIGRATION_FILES.length) return;
    this.db.transaction(() => {
      const current = this.schemaVersion;
      MIGRATION_FILES.slice(current).forEach((f, i) => {
        this.db.exec(readFileSync(join(MIGRATIONS_DIR, f), "utf8"));
        this.db.exec(`PRAGMA user_version = ${current + i + 1}`);
      });
    }).immediate();
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  /** Open a running iteration owned by `owner` (default: this process on this host). */
  startIteration(input: { label: string | null; configJson: string; gitCommit: string | null; targets: string[]; owner?: Owner; partition?: { label: string | null; json: string }; group?: string }): number {
    const at = this.stamp();
    const owner = input.owner ?? thisProcess();
    const info = this.db
      .query(
        `INSERT INTO iterations (label, status, started_at, config_json, git_commit, targets_json, host, pid, heartbeat_at, partition, partition_json, group_name)
         VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(input.label, at, input.configJson, input.gitCommit, JSON.stringify(input.targets), owner.host, owner.pid, at, input.partition?.label ?? null, input.partition?.json ?? null, input.group ?? null);
    return Number(info.lastInsertRowid);
  }

  /**
   * The iteration of a group of workers: the group's latest one, else a new one that `start` opens, with `paths` as
   * its queue (with `shares`, a partitioned group's: each path's share). Of workers arriving at once exactly one opens
   * it (a lock on the group's name).
   */
  joinGroup(group: string, start: () => number, paths: () => string[], shares?: () => ReadonlyMap<string, number>): { iteration: IterationRow; created: boolean } {
    return this.db.transaction(() => {
      if (this.db.dialect === "postgres") this.db.query(`SELECT pg_advisory_xact_lock(hashtext(CAST(? AS TEXT))) AS locked`).get(`scrum-group:${group}`);
      const found = this.groupIteration(group);
      if (found) return { iteration: found, created: false };
      const id = start();
      enqueue(this.db, id, paths(), shares?.());
      return { iteration: this.iteration(id)!, created: true };
    }).immediate();
  }

  /** The latest iteration of a group of workers, or undefined when the group has none yet. */
  groupIteration(group: string): IterationRow | undefined {
    const found = this.db.query(`SELECT id FROM iterations WHERE group_name = ? ORDER BY id DESC LIMIT 1`).get(group) as { id: number } | null;
    return found ? this.iteration(found.id) : undefined;
  }

  /**
   * Claim the next file of a shared iteration for `worker`: one nobody holds, or one whose claim outlived `leaseMs`;
   * with `share`, a file of that share of a partitioned group only.
   */
  claimNext(iterationId: number, worker: string, leaseMs: number, share?: number): string | null {
    const now = this.now();
    return claimNext(this.db, iterationId, worker, now.toISOString(), new Date(now.getTime() - leaseMs).toISOString(), share);
  }

  /** The worker lives: its claims last another lease, and the shared iteration shows it is being worked on. */
  renewClaims(iterationId: number, worker: string): void {
    const at = this.stamp();
    renewClaims(this.db, iterationId, worker, at);
    this.db.query(`UPDATE iterations SET heartbeat_at = ? WHERE id = ? AND status = 'running'`).run(at, iterationId);
  }

  finishClaim(iterationId: number, path: string): void {
    finishClaim(this.db, iterationId, path, this.stamp());
  }

  releaseClaims(iterationId: number, worker: string): void {
    releaseClaims(this.db, iterationId, worker);
  }

  /** Files planned, stored, and held by a claim renewed within `leaseMs`: of the whole queue, or of one share's files. */
  queueProgress(iterationId: number, leaseMs: number, share?: number): QueueProgress {
    return queueProgress(this.db, iterationId, new Date(this.now().getTime() - leaseMs).toISOString(), share);
  }

  /** A partitioned group's shares with files not yet stored, and how many each. */
  outstandingShares(iterationId: number): Array<{ share: number; files: number }> {
    return outstandingShares(this.db, iterationId);
  }

  queue(iterationId: number): QueueRow[] {
    return queueRows(this.db, iterationId);
  }

  /**
   * Inside atomically(): hold the iteration so other processes wait here (PostgreSQL: an advisory lock to the end of
   * the transaction; SQLite's write transaction already holds the whole file).
   */
  lockIteration(iterationId: number): void {
    if (this.db.dialect === "postgres") this.db.query(`SELECT pg_advisory_xact_lock(CAST(? AS BIGINT)) AS locked`).get(iterationId);
  }

  /** Run `fn` in one write transaction: everything it writes lands together, or nothing does (`scrum kb merge`). */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Every file of an iteration as the rows it wrote (review, findings, attempts), without ids, iteration or timestamps,
   * and the answers it added to the shard cache: what `scrum kb merge` appends to another KB's iteration.
   */
  fileRecords(iterationId: number): { files: FileRecord[]; cache: NonNullable<FileRecord["cache"]> } {
    const pick = <K extends string>(row: object, keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, (row as Record<string, unknown>)[k] ?? null]));
    const byPath = <T extends { path: string }>(rows: T[]) => {
      const out = new Map<string, T[]>();
      for (const r of rows) out.set(r.path, [...(out.get(r.path) ?? []), r]);
      return out;
    };
    const findings = byPath(this.db.query(`SELECT * FROM findings WHERE iteration_id = ? ORDER BY id`).all(iterationId) as FindingRow[]);
    const attempts = byPath(this.attempts(iterationId));
    const files = this.fileReviews(iterationId).map((r) => ({
      review: pick(r, REVIEW_COLUMNS) as unknown as FileRecord["review"],
      findings: (findings.get(r.path) ?? []).map((f) => pick(f, FINDING_COLUMNS) as unknown as FindingInput),
      attempts: (attempts.get(r.path) ?? []).map((a) => pick(a, ATTEMPT_COLUMNS) as unknown as AttemptInput),
    }));
    return { files, cache: answersOf(this.db, iterationId) };
  }

  /**
   * Take over an iteration to finish it: an aborted one, or a running one whose owner is gone — only if it is still
   * exactly as `seen` (same status and heartbeat), so of two processes trying at once exactly one wins.
   */
  takeOverIteration(seen: IterationRow, owner: Owner): boolean {
    const info = this.db
      .query(
        `UPDATE iterations SET status = 'running', finished_at = NULL, error = NULL, host = ?, pid = ?, heartbeat_at = ?
         WHERE id = ? AND status = ? AND status <> 'done' AND heartbeat_at IS ?`,
      )
      .run(owner.host, owner.pid, this.stamp(), seen.id, seen.status, seen.heartbeat_at);
    return info.changes === 1;
  }

  /** The owner says it is alive. Only a running iteration of this owner changes. */
  heartbeat(id: number, owner: Owner): void {
    this.db.query(`UPDATE iterations SET heartbeat_at = ? WHERE id = ? AND status = 'running' AND host = ? AND pid = ?`).run(this.stamp(), id, owner.host, owner.pid);
  }

  /** Finish an iteration as done, with its state and metrics, in one transaction: a crash leaves it running, never half-done. */
  completeIteration(id: number, state: StateRow[], metrics: Record<string, number | null>): void {
    this.db.transaction(() => {
      writeState(this.db, state);
      this.recordMetrics(id, metrics);
      this.finishIteration(id, "done");
    })();
  }

  /** Mark a running or stale iteration aborted (what finished is kept). */
  abortIteration(id: number, error: string): boolean {
    return this.db.query(`UPDATE iterations SET status = 'aborted', finished_at = ?, error = ? WHERE id = ? AND status = 'running'`).run(this.stamp(), error, id).changes === 1;
  }

  finishIteration(id: number, status: "done" | "aborted", error?: string): void {
    this.db.query(`UPDATE iterations SET status = ?, finished_at = ?, error = ? WHERE id = ? AND status = 'running'`).run(status, this.stamp(), error ?? null, id);
  }

  /** Append one file's review, findings and attempts atomically. */
  recordFile(iterationId: number, record: FileRecord): void {
    const review = this.db.query(insertSql("file_reviews", REVIEW_COLUMNS, ["iteration_id", "created_at"]));
    const finding = this.db.query(insertSql("findings", FINDING_COLUMNS, ["iteration_id"]));
    const attempt = this.db.query(insertSql("attempts", ATTEMPT_COLUMNS, ["iteration_id", "created_at"]));
    const created_at = this.stamp();
    this.db.transaction(() => {
      review.run({ ...REVIEW_DEFAULTS, ...record.review, iteration_id: iterationId, created_at });
      for (const f of record.findings) finding.run({ ...FINDING_DEFAULTS, ...f, iteration_id: iterationId });
      for (const a of record.attempts) attempt.run({ ...ATTEMPT_DEFAULTS, ...a, iteration_id: iterationId, created_at });
      for (const c of record.cache ?? []) storeAnswer(this.db, { ...c, iteration_id: iterationId, created_at });
    })();
  }

  recordMetrics(iterationId: number, metrics: Record<string, number | null>): void {
    const stmt = this.db.query(`INSERT INTO metrics (iteration_id, name, value) VALUES (?, ?, ?)`);
    this.db.transaction(() => {
      for (const [name, value] of Object.entries(metrics)) stmt.run(iterationId, name, value);
    })();
  }

  iterations(): IterationRow[] {
    const rows = this.db.query(`SELECT * FROM iterations ORDER BY id`).all() as IterationRow[];
    for (const row of rows) checkIterationRow(row, this.file);
    return rows;
  }

  iteration(id: number): IterationRow | undefined {
    const row = (this.db.query(`SELECT * FROM iterations WHERE id = ?`).get(id) as IterationRow | null) ?? undefined;
    if (row) checkIterationRow(row, this.file);
    return row;
  }

  /** The iteration an ITER reference names, or undefined when it names none (see resolveIteration). */
  findIteration(ref: string): IterationRow | undefined {
    const all = this.iterations();
    if (ref === "latest") return all.at(-1);
    if (ref === "previous") return all.at(-2);
    if (/^\d+$/.test(ref)) return all.find((r) => r.id === Number(ref));
    return [...all].reverse().find((r) => r.label === ref);
  }

  /** Resolve an ITER reference: an id, a label (its latest iteration), `latest` or `previous`. */
  resolveIteration(ref: string | undefined): IterationRow {
    const all = this.iterations();
    if (all.length === 0) throw new UsageError(`the knowledge base has no iterations yet; run \`scrum run PATH\` first`);
    const pick = (row: IterationRow | undefined, what: string): IterationRow => {
      if (!row) throw new UsageError(`no iteration ${what}; \`scrum history\` lists them`);
      return row;
    };
    if (ref === undefined || ref === "latest") return pick(all[all.length - 1], "latest");
    if (ref === "previous") return pick(all[all.length - 2], "before the latest");
    if (/^\d+$/.test(ref)) return pick(all.find((r) => r.id === Number(ref)), `with id ${ref}`);
    return pick([...all].reverse().find((r) => r.label === ref), `labelled "${ref}"`);
  }

  fileReviews(iterationId: number): FileReviewRow[] {
    const rows = this.db.query(`SELECT * FROM file_reviews WHERE iteration_id = ? ORDER BY path`).all(iterationId) as FileReviewRow[];
    for (const row of rows) checkReviewRow(row, this.file);
    return rows;
  }

  fileReview(iterationId: number, path: string): FileReviewRow | undefined {
    const row = (this.db.query(`SELECT * FROM file_reviews WHERE iteration_id = ? AND path = ?`).get(iterationId, path) as FileReviewRow | null) ?? undefined;
    if (row) checkReviewRow(row, this.file);
    return row;
  }

  reviewedPaths(iterationId: number): Set<string> {
    const rows = this.db.query(`SELECT path FROM file_reviews WHERE iteration_id = ?`).all(iterationId) as { path: string }[];
    return new Set(rows.map((r) => r.path));
  }

  findings(iterationId: number, path?: string): FindingRow[] {
    checkFindingsHaveReviews(this.db, this.file, iterationId, path);
    if (path === undefined) {
      return this.db.query(`SELECT * FROM findings WHERE iteration_id = ? ORDER BY path, line_start`).all(iterationId) as FindingRow[];
    }
    return this.db.query(`SELECT * FROM findings WHERE iteration_id = ? AND path = ? ORDER BY line_start`).all(iterationId, path) as FindingRow[];
  }

  attempts(iterationId: number, path?: string): AttemptRow[] {
    if (path === undefined) {
      return this.db.query(`SELECT * FROM attempts WHERE iteration_id = ? ORDER BY id`).all(iterationId) as AttemptRow[];
    }
    return this.db.query(`SELECT * FROM attempts WHERE iteration_id = ? AND path = ? ORDER BY id`).all(iterationId, path) as AttemptRow[];
  }

  metrics(iterationId: number): Record<string, number | null> {
    const rows = this.db.query(`SELECT name, value FROM metrics WHERE iteration_id = ? ORDER BY name`).all(iterationId) as { name: string; value: number | null }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }

  /** Metrics of an iteration computed from its rows, in SQL (docs/METRICS.md; no probes, no wall time). */
  /** Do findings get fixed: resolution, dismissal and time-to-fix of this iteration against the state before it. */
  outcomeMetrics(iterationId: number, previousState: number | null): Metrics {
    return outcomeMetrics(this.db, iterationId, previousState);
  }

  computeMetrics(iterationId: number): Metrics {
    return iterationMetrics(this.db, iterationId);
  }

  /** History's per-iteration counts, in two grouped queries. */
  historyCounts(): Map<number, HistoryRow> {
    return historyCounts(this.db);
  }

  /** Every stored metric of every iteration. */
  allMetrics(): Map<number, Metrics> {
    return allMetrics(this.db);
  }

  /** Store the state after an iteration. */
  writeState(rows: StateRow[]): void {
    writeState(this.db, rows);
  }

  /** The raw state rows after an iteration (dismissals since not applied; see score/state.ts applyDismissals). */
  state(iterationId: number): StateRow[] {
    return readState(this.db, iterationId);
  }

  /** The latest iteration with a state (up to `atOrBefore`), or null. */
  latestStateIteration(atOrBefore?: number): number | null {
    return latestStateIteration(this.db, atOrBefore);
  }

  /** Counting findings per path of one iteration. */
  countingFindings(iterationId: number): Map<string, FileCounts> {
    return countingFindings(this.db, iterationId);
  }

  /** The counting findings behind an iteration's state. */
  stateFindings(iterationId: number): FindingRow[] {
    return stateFindings(this.db, iterationId);
  }

  /** Counting findings that a dismissal made since covers. */
  dismissedSinceRecorded(): DismissedNow[] {
    return dismissedSinceRecorded(this.db);
  }

  /** A cached accepted answer for this prompt hash. */
  cachedAnswer(promptSha: string): CachedAnswer | undefined {
    return lookupAnswer(this.db, promptSha);
  }

  addDismissal(input: { fingerprint: string; path: string; reason: string }): number {
    return addDismissal(this.db, { ...input, at: this.stamp() });
  }

  undoDismissal(id: number): boolean {
    return undoDismissal(this.db, id, this.stamp());
  }

  /** Active dismissals by fingerprint. */
  /** Judged and overturned findings per producing rung and category (the verifier's and users' verdicts on them). */
  overturnStats(): OverturnCount[] {
    return overturnCounts(this.db);
  }

  /** Per rung: answers by outcome, cost, tokens, confirmed findings, over every iteration. */
  rungTotals(): RungTotals[] {
    return rungTotals(this.db);
  }

  activeDismissals(): Map<string, DismissalRow> {
    return activeDismissals(this.db);
  }

  /** The latest finding with this fingerprint, in any iteration. */
  findingByFingerprint(fingerprint: string): FindingRow | undefined {
    return (this.db.query(`SELECT * FROM findings WHERE fingerprint = ? ORDER BY id DESC LIMIT 1`).get(fingerprint) as FindingRow | null) ?? undefined;
  }

  /** Distinct fingerprints starting with a lowercase hex prefix, each with its latest finding (at most `limit`). */
  fingerprintsWithPrefix(prefix: string, limit = 20): FingerprintMatch[] {
    return fingerprintsWithPrefix(this.db, prefix, limit);
  }

  /** Every path the KB has a review of, in any iteration. */
  knownPaths(): string[] {
    return (this.db.query(`SELECT DISTINCT path FROM file_reviews ORDER BY path`).all() as { path: string }[]).map((r) => r.path);
  }

  /** Every dismissal, undone ones included (`undone_at` set), oldest first. */
  dismissals(): DismissalRow[] {
    return this.db.query(`SELECT * FROM dismissals ORDER BY id`).all() as DismissalRow[];
  }

  addNote(path: string, text: string, createdIn: number | null): number {
    const info = this.db
      .query(`INSERT INTO notes (path, text, status, created_in, created_at) VALUES (?, ?, 'open', ?, ?)`)
      .run(path, text, createdIn, this.stamp());
    return Number(info.lastInsertRowid);
  }

  notes(status?: NoteRow["status"]): NoteRow[] {
    if (status) return this.db.query(`SELECT * FROM notes WHERE status = ? ORDER BY id`).all(status) as NoteRow[];
    return this.db.query(`SELECT * FROM notes ORDER BY id`).all() as NoteRow[];
  }

  openNotesFor(path: string): NoteRow[] {
    return this.db.query(`SELECT * FROM notes WHERE path = ? AND status = 'open' ORDER BY id`).all(path) as NoteRow[];
  }

  markNotesPickedUp(ids: number[], iterationId: number): void {
    const stmt = this.db.query(`UPDATE notes SET status = 'picked_up', picked_up_in = ? WHERE id = ? AND status = 'open'`);
    this.db.transaction(() => {
      for (const id of ids) stmt.run(iterationId, id);
    })();
  }

  resolveNote(id: number): void {
    const info = this.db.query(`UPDATE notes SET status = 'resolved' WHERE id = ? AND status <> 'resolved'`).run(id);
    if (info.changes !== 1) throw new UsageError(`note ${id} does not exist or is already resolved`);
  }

  /** The repository root the KB's paths are relative to, or null when none is stored yet. */
  root(): string | null {
    return readMeta(this.db, "root");
  }

  /** Store the repository root (a run stores the root it swept). */
  setRoot(root: string): void {
    writeMeta(this.db, "root", root);
  }

  /** The identity of the repository the KB reviews (its origin, pipeline/run/spawn.ts), or null when not known. */
  repository(): string | null {
    return readMeta(this.db, "repository");
  }

  setRepository(identity: string): void {
    writeMeta(this.db, "repository", identity);
  }

  /** The disk-stat cache: the content hash each file had at a size and mtime. */
  diskStats(): Map<string, DiskStat> {
    return readDiskStats(this.db);
  }

  /** Remember files' hashes at their current size and mtime. */
  recordDiskStats(stats: DiskStat[]): void {
    writeDiskStats(this.db, stats);
  }

  /** Append one bench result (a rung, the ladder, or the ladder with consensus); rows of one bench share `started_at`. */
  recordBenchRun(row: Omit<BenchRunRow, "id">): number {
    const info = this.db
      .query(
        `INSERT INTO bench_runs (started_at, config_json, rung, planted, found, recall, precision, noise_per_kloc, tokens, cost_usd, cost_per_tp, stability, details_json)
         VALUES (@started_at, @config_json, @rung, @planted, @found, @recall, @precision, @noise_per_kloc, @tokens, @cost_usd, @cost_per_tp, @stability, @details_json)`,
      )
      .run(row);
    return Number(info.lastInsertRowid);
  }

  /** Every bench result, oldest first. */
  /** Remember a trait learnt about a server (the request shape it accepts, its system role, its window). */
  recordServerTrait(row: Omit<ServerTraitRow, "learnt_at">): void {
    this.db
      .query(`INSERT INTO server_traits (server, model, trait, value, reason, learnt_at) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(row.server, row.model, row.trait, row.value, row.reason, this.stamp());
  }

  /** The newest row of each (server, model, trait): what is known about every server seen. */
  serverTraits(): ServerTraitRow[] {
    return this.db
      .query(
        `SELECT server, model, trait, value, reason, learnt_at FROM server_traits WHERE id IN (SELECT MAX(id) FROM server_traits GROUP BY server, model, trait) ORDER BY server, model, trait`,
      )
      .all() as ServerTraitRow[];
  }

  benchRuns(): BenchRunRow[] {
    return this.db.query(`SELECT * FROM bench_runs ORDER BY id`).all() as BenchRunRow[];
  }
}

/** One `server_traits` row: a trait of a server and model, learnt at `learnt_at` (the newest per trait is in force). */
export interface ServerTraitRow {
  server: string;
  model: string;
  trait: "shape" | "systemRole" | "window";
  value: string;
  reason: string;
  learnt_at: string;
}

/** One `bench_runs` row: a variant's numbers from one `scrum bench`; `details_json` holds the per-operator breakdown. */
export interface BenchRunRow {
  id: number;
  started_at: string;
  config_json: string;
  rung: string;
  planted: number;
  found: number;
  recall: number | null;
  precision: number | null;
  noise_per_kloc: number | null;
  tokens: number;
  cost_usd: number;
  cost_per_tp: number | null;
  stability: number | null;
  details_json: string | null;
}
