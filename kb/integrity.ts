/**
 * The KB's own guard against writers that are not scrum. At open: every table and trigger the migrations create is
 * present and unchanged (a dropped or altered trigger is put back; a dropped table is a damaged KB). At read: a row
 * that scrum could never have written — review_json that is not JSON or disagrees with its row, a finding with no
 * review — is reported as a damaged KB naming the table and rowid, never shown as true.
 */
import { Database } from "bun:sqlite";
import { DamagedKbError } from "../domain/errors";
import type { Engine } from "./engine";
import type { FileReviewRow, IterationRow } from "./rows";

interface Schema {
  tables: Set<string>;
  /** Trigger name → its CREATE statement as sqlite_master keeps it. */
  triggers: Map<string, string>;
}

let expected: Schema | undefined;

/** The schema the migrations make, from running them on an empty in-memory database once per process. */
function expectedSchema(migrations: () => string[]): Schema {
  if (expected) return expected;
  const db = new Database(":memory:");
  try {
    for (const sql of migrations()) db.exec(sql);
    expected = readSchema(db);
  } finally {
    db.close();
  }
  return expected;
}

function readSchema(db: Pick<Engine, "query"> | Database): Schema {
  const rows = db.query(`SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'trigger') AND name NOT LIKE 'sqlite_%'`).all() as { type: string; name: string; sql: string }[];
  return {
    tables: new Set(rows.filter((r) => r.type === "table").map((r) => r.name)),
    triggers: new Map(rows.filter((r) => r.type === "trigger").map((r) => [r.name, r.sql])),
  };
}

/**
 * Check the KB file's tables and triggers against what its migrations make. A missing table is a damaged KB; a
 * missing or altered append-only trigger is restored (in one write transaction). Returns the restored triggers' names.
 */
export function checkSchema(db: Engine, file: string, migrations: () => string[]): string[] {
  const want = expectedSchema(migrations);
  const have = readSchema(db);
  const missing = [...want.tables].filter((t) => !have.tables.has(t));
  if (missing.length > 0) throw damaged(file, `table${missing.length === 1 ? "" : "s"} ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing`);
  const broken = [...want.triggers].filter(([name, sql]) => have.triggers.get(name) !== sql);
  if (broken.length === 0) return [];
  db.transaction(() => {
    for (const [name, sql] of broken) {
      db.exec(`DROP TRIGGER IF EXISTS "${name}"`);
      db.exec(sql);
    }
  }).immediate();
  return broken.map(([name]) => name);
}

/** A file_reviews row as scrum writes it: review_json a JSON object whose verdict and path are the row's, else NULL for a skipped file. */
export function checkReviewRow(row: FileReviewRow & { id?: number }, file: string): void {
  const where = `file_reviews rowid ${row.id ?? "?"} (iteration ${row.iteration_id}, ${row.path})`;
  if (row.review_json === null) {
    if (row.verdict !== "skipped") throw damaged(file, `${where}: verdict ${row.verdict} has no review_json`);
  } else {
    const verdict = parseJson(row.review_json, file, `${where}: review_json`) as { verdict?: unknown; path?: unknown } | null;
    if (typeof verdict !== "object" || verdict === null || Array.isArray(verdict)) throw damaged(file, `${where}: review_json is not a JSON object`);
    if (verdict.verdict !== row.verdict) throw damaged(file, `${where}: the row says ${row.verdict}, its review_json says ${String(verdict.verdict)}`);
    if (verdict.path !== row.path) throw damaged(file, `${where}: review_json is the review of ${String(verdict.path)}`);
  }
  if (row.instructions !== null && row.instructions !== undefined) {
    if (!Array.isArray(parseJson(row.instructions, file, `${where}: instructions`))) throw damaged(file, `${where}: instructions is not a JSON array`);
  }
}

/** An iteration row as scrum writes it: targets_json a JSON array of paths, config_json a JSON object. */
export function checkIterationRow(row: IterationRow, file: string): void {
  const where = `iterations rowid ${row.id}`;
  const targets = parseJson(row.targets_json, file, `${where}: targets_json`);
  if (!Array.isArray(targets) || targets.some((t) => typeof t !== "string")) throw damaged(file, `${where}: targets_json is not a JSON array of paths`);
  const config = parseJson(row.config_json, file, `${where}: config_json`);
  if (typeof config !== "object" || config === null || Array.isArray(config)) throw damaged(file, `${where}: config_json is not a JSON object`);
}

/** Findings of an iteration (one path, or all) that belong to no file_reviews row: scrum writes both in one transaction. */
export function checkFindingsHaveReviews(db: Engine, file: string, iterationId: number, path?: string): void {
  const orphans = db
    .query(
      // CAST: PostgreSQL cannot tell a parameter's type from `IS NULL` alone.
      `SELECT f.id, f.path FROM findings f WHERE f.iteration_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR f.path = ?2)
       AND NOT EXISTS (SELECT 1 FROM file_reviews r WHERE r.iteration_id = f.iteration_id AND r.path = f.path) ORDER BY f.id LIMIT 5`,
    )
    .all(iterationId, path ?? null) as { id: number; path: string }[];
  if (orphans.length === 0) return;
  const list = orphans.map((o) => `rowid ${o.id} (${o.path})`).join(", ");
  throw damaged(file, `findings ${list} of iteration ${iterationId} belong to no file_reviews row`);
}

function parseJson(text: string, file: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    throw damaged(file, `${what} is not JSON (${e.message})`);
  }
}

export function damaged(file: string, detail: string): DamagedKbError {
  return new DamagedKbError(
    `the knowledge base ${file} is damaged: ${detail}. scrum never writes such a row; it was changed outside scrum. Nothing was shown from it; restore the file from a backup or start a new KB with --kb`,
  );
}
