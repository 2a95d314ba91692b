/**
 * The knowledge base: one SQLite file (WAL) or one PostgreSQL database, versioned migrations, append-only. Opening it
 * checks and migrates the schema; everything else goes through its repositories (iterations, reviews, findings,
 * attempts, state, metrics, dismissals, notes, cache, queue, meta), which take and return the domain's values
 * (domain/records.ts). kb/ is the only folder that speaks SQL or sees a row (the engine is chosen by the location:
 * kb/engine.ts).
 */
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { UsageError } from "../domain/errors";
import type { FileRecord, StateEntry } from "../domain/records";
import type { Metrics } from "./aggregates";
import { answersOf, ShardCache, storeAnswer } from "./cache";
import type { KbContext } from "./context";
import { Dismissals } from "./dismissals";
import { Meta } from "./disk";
import { isPostgresLocation, openEngine, showLocation, type Engine } from "./engine";
import { Findings } from "./findings";
import { checkSchema } from "./integrity";
import { Iterations } from "./iterations";
import { MetricsRepo } from "./metrics";
import { Notes } from "./notes";
import { checkPostgresSchema, migratePostgres, postgresSchemaVersion } from "./postgres/schema";
import { WorkQueue } from "./queue";
import { Attempts, Reviews } from "./reviews";
import { findingRowOf, reviewOf, reviewRow, storedFinding, type AttemptRow, type FileReviewRow, type FindingRow } from "./rows";
import { Rungs } from "./rungs";
import { BenchRuns, ServerTraits } from "./servers";
import { StateRepo, writeState } from "./state";

export { thisProcess, type Owner } from "./iterations";

const MIGRATIONS_DIR = join(import.meta.dir, "migrations");
const MIGRATION_FILES = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();

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

/** What a record that leaves out the later columns stores in them. */
const REVIEW_DEFAULTS = { instructions: null, reviewer: null, degraded_reason: null };
const FINDING_DEFAULTS = { rule: null, symbol: null, agreement: null, dismissal_id: null, disposition: null, verified_by: null, verify_reason: null, rung: null };
const ATTEMPT_DEFAULTS = { redactions: 0, prompt_sha: null };

function insertSql(table: string, columns: readonly string[], extra: string[] = []): string {
  const all = [...extra, ...columns];
  return `INSERT INTO ${table} (${all.join(", ")}) VALUES (${all.map((c) => `@${c}`).join(", ")})`;
}

function pick(row: object, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (row as Record<string, unknown>)[k] ?? null]));
}

/** An open knowledge base. `now` is injected so tests control timestamps. */
export class Kb {
  /** The connection; for the kb/ modules only (the rest of the code speaks through the repositories). */
  readonly db: Engine;
  readonly iterations: Iterations;
  readonly reviews: Reviews;
  readonly findings: Findings;
  readonly attempts: Attempts;
  readonly state: StateRepo;
  readonly metrics: MetricsRepo;
  readonly dismissals: Dismissals;
  readonly notes: Notes;
  readonly cache: ShardCache;
  readonly queue: WorkQueue;
  readonly meta: Meta;
  readonly rungs: Rungs;
  readonly serverTraits: ServerTraits;
  readonly benchRuns: BenchRuns;
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
    const ctx: KbContext = { db: this.db, now: this.now, file: this.file };
    this.iterations = new Iterations(ctx);
    this.reviews = new Reviews(ctx);
    this.findings = new Findings(ctx);
    this.attempts = new Attempts(ctx);
    this.state = new StateRepo(ctx);
    this.metrics = new MetricsRepo(ctx);
    this.dismissals = new Dismissals(ctx);
    this.notes = new Notes(ctx);
    this.cache = new ShardCache(ctx);
    this.queue = new WorkQueue(ctx);
    this.meta = new Meta(ctx);
    this.rungs = new Rungs(ctx);
    this.serverTraits = new ServerTraits(ctx);
    this.benchRuns = new BenchRuns(ctx);
    try {
      if (this.db.dialect === "postgres") {
        this.checkVersion();
        migratePostgres(this.db, MIGRATION_FILES, this.file);
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
      throw new UsageError(`${this.file} has knowledge-base schema version ${version}, newer than this scrum knows (${MIGRATION_FILES.length}); upgrade scrum (the ${this.db.dialect === "postgres" ? "database" : "file"} was not changed)`);
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

  /** Run `fn` in one write transaction: everything it writes lands together, or nothing does (`scrum kb merge`). */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Append one file's review, findings, attempts and cached answers atomically. */
  recordFile(iterationId: number, record: FileRecord): void {
    this.recordFiles(iterationId, [record]);
  }

  /**
   * Append several files' records in one transaction: all of them land, or none does. Files finishing together (a
   * batch of answers judged in one turn) cost one commit instead of one each: the pages every file touches (the
   * tables' last leaves, their indexes' and sqlite_sequence) are written to the WAL once, not once a file.
   */
  recordFiles(iterationId: number, records: readonly FileRecord[]): void {
    const review = this.db.query(insertSql("file_reviews", REVIEW_COLUMNS, ["iteration_id", "created_at"]));
    const finding = this.db.query(insertSql("findings", FINDING_COLUMNS, ["iteration_id"]));
    const attempt = this.db.query(insertSql("attempts", ATTEMPT_COLUMNS, ["iteration_id", "created_at"]));
    const created_at = this.stamp();
    this.db.transaction(() => {
      for (const record of records) {
        review.run({ ...reviewRow({ ...REVIEW_DEFAULTS, ...record.review }), iteration_id: iterationId, created_at } as never);
        for (const f of record.findings) finding.run({ ...findingRowOf({ ...FINDING_DEFAULTS, ...f }), iteration_id: iterationId } as never);
        for (const a of record.attempts) attempt.run({ ...ATTEMPT_DEFAULTS, ...a, iteration_id: iterationId, created_at } as never);
        for (const c of record.cache ?? []) storeAnswer(this.db, { ...c, iteration_id: iterationId, created_at });
      }
    })();
  }

  /**
   * Every file of an iteration as it was recorded (review, findings, attempts), without ids, iteration or timestamps,
   * and the answers it added to the shard cache: what `scrum kb merge` appends to another KB's iteration.
   */
  fileRecords(iterationId: number): { files: FileRecord[]; cache: NonNullable<FileRecord["cache"]> } {
    const byPath = <T extends { path: string }>(rows: T[]) => {
      const out = new Map<string, T[]>();
      for (const r of rows) out.set(r.path, [...(out.get(r.path) ?? []), r]);
      return out;
    };
    const findings = byPath((this.db.query(`SELECT * FROM findings WHERE iteration_id = ? ORDER BY id`).all(iterationId) as FindingRow[]).map(storedFinding));
    const attempts = byPath(this.attempts.inIteration(iterationId));
    const files = (this.db.query(`SELECT * FROM file_reviews WHERE iteration_id = ? ORDER BY path`).all(iterationId) as FileReviewRow[]).map((r) => ({
      review: reviewOf(pick(r, REVIEW_COLUMNS) as unknown as FileReviewRow),
      findings: (findings.get(r.path) ?? []).map((f) => pick(f, FINDING_COLUMNS) as unknown as typeof f),
      attempts: (attempts.get(r.path) ?? []).map((a) => pick(a, ATTEMPT_COLUMNS) as unknown as AttemptRow),
    }));
    return { files, cache: answersOf(this.db, iterationId) };
  }

  /** Finish an iteration as done, with its state and metrics, in one transaction: a crash leaves it running, never half-done. */
  completeIteration(id: number, state: StateEntry[], metrics: Metrics): void {
    this.db.transaction(() => {
      writeState(this.db, state);
      this.metrics.record(id, metrics);
      this.iterations.finish(id, "done");
    })();
  }
}
