/**
 * The KB's schema on PostgreSQL: its version, its migrations and its guard against writers that are not scrum.
 * A new database gets baseline.sql (what SQLite's migrations up to POSTGRES_BASELINE make); a SQLite migration after
 * the baseline has a PostgreSQL file of the same name in kb/migrations/postgres/; append-only.sql follows them all.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../engine";
import { damaged } from "../integrity";
import { UsageError } from "../../domain/errors";

const DIR = join(import.meta.dir, "..", "migrations", "postgres");
/** The last SQLite migration baseline.sql contains. */
export const POSTGRES_BASELINE = "012_partitions.sql";

const read = (name: string) => readFileSync(join(DIR, name), "utf8");

/** The number of SQLite-equivalent migrations applied; 0 for a database scrum has not used. */
export function postgresSchemaVersion(db: Engine): number {
  const table = db.query(`SELECT to_regclass('scrum_schema') AS t`).get() as { t: string | null };
  if (table.t === null) return 0;
  const row = db.query(`SELECT version FROM scrum_schema`).get() as { version: number } | null;
  return row?.version ?? 0;
}

/**
 * Bring the database to the version of `migrations` (SQLite's files, in order), in one transaction under an advisory
 * lock: of two first opens, one migrates and the other finds it done.
 */
export function migratePostgres(db: Engine, migrations: readonly string[], shown = "the knowledge base"): void {
  if (postgresSchemaVersion(db) >= migrations.length) return;
  const baseline = migrations.indexOf(POSTGRES_BASELINE) + 1;
  if (baseline === 0) throw new Error(`bug: ${POSTGRES_BASELINE} is not among the KB's migrations`);
  db.transaction(() => {
    db.query(`SELECT pg_advisory_xact_lock(hashtext('scrum_migrate:' || current_schema()))`).get();
    db.exec(`CREATE TABLE IF NOT EXISTS scrum_schema (version bigint NOT NULL)`);
    let version = postgresSchemaVersion(db);
    if (version >= migrations.length) return;
    if (version === 0) {
      // Tables of another program where scrum's go: not a scrum KB (as a file that is not SQLite), left as it was.
      const baselineTables = new Set(names(read("baseline.sql"), "TABLE"));
      const taken = (db.query(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`).all() as { tablename: string }[])
        .map((r) => r.tablename)
        .filter((t) => baselineTables.has(t));
      if (taken.length > 0) {
        throw new UsageError(`${shown} is not a scrum knowledge base: its schema holds table${taken.length === 1 ? "" : "s"} ${taken.join(", ")} that scrum did not make (no scrum_schema); pass --kb with another database or ?schema=NAME (nothing was changed)`);
      }
      db.exec(read("baseline.sql"));
      version = baseline;
    }
    for (const file of migrations.slice(version)) db.exec(read(file));
    // The triggers name tables of every migration, so they go in (or are replaced) last.
    db.exec(read("append-only.sql"));
    db.exec(`DELETE FROM scrum_schema`);
    db.query(`INSERT INTO scrum_schema (version) VALUES (?)`).run(migrations.length);
  })();
}

/** Names in a SQL file: `CREATE [OR REPLACE] <kind> name`. */
function names(sql: string, kind: "TABLE" | "TRIGGER"): string[] {
  return [...sql.matchAll(new RegExp(`CREATE (?:OR REPLACE )?${kind} (\\w+)`, "g"))].map((m) => m[1]!);
}

/** The trigger functions' bodies as append-only.sql defines them. */
function functionBodies(sql: string): Map<string, string> {
  return new Map([...sql.matchAll(/FUNCTION (\w+)\(\) RETURNS trigger LANGUAGE plpgsql AS \$\$([\s\S]*?)\$\$/g)].map((m) => [m[1]!, m[2]!]));
}

/**
 * Check the tables and the append-only triggers against what scrum makes. A missing table is a damaged KB; a missing,
 * disabled or rewritten trigger (or trigger function) is put back by running append-only.sql again. Returns what was
 * put back.
 */
export function checkPostgresSchema(db: Engine, shown: string): string[] {
  const guard = read("append-only.sql");
  const tables = new Set((db.query(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`).all() as { tablename: string }[]).map((r) => r.tablename));
  const made = [read("baseline.sql"), ...readdirSync(DIR).filter((f) => /^\d+_.*\.sql$/.test(f)).map(read)].join("\n");
  const missing = names(made, "TABLE").filter((t) => !tables.has(t));
  if (missing.length > 0) {
    throw damaged(shown, `table${missing.length === 1 ? "" : "s"} ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing`);
  }
  const triggers = new Map(
    (
      db
        .query(
          `SELECT t.tgname AS name, t.tgenabled AS enabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND NOT t.tgisinternal`,
        )
        .all() as { name: string; enabled: string }[]
    ).map((r) => [r.name, r.enabled]),
  );
  const functions = new Map(
    (
      db
        .query(`SELECT p.proname AS name, p.prosrc AS body FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()`)
        .all() as { name: string; body: string }[]
    ).map((r) => [r.name, r.body]),
  );
  const broken = [
    ...names(guard, "TRIGGER").filter((t) => triggers.get(t) !== "O"),
    ...[...functionBodies(guard)].filter(([name, body]) => functions.get(name) !== body).map(([name]) => `${name}()`),
  ];
  if (broken.length === 0) return [];
  db.transaction(() => {
    db.exec(guard);
    for (const [name, enabled] of triggers) {
      if (enabled === "D" && broken.includes(name)) {
        const table = db.query(`SELECT c.relname AS t FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE g.tgname = ? AND n.nspname = current_schema()`).get(name) as { t: string };
        db.exec(`ALTER TABLE ${table.t} ENABLE TRIGGER ${name}`);
      }
    }
  })();
  return broken;
}
