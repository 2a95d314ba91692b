/**
 * The SQL engine under the knowledge base, chosen by its location: a file path is SQLite (bun:sqlite), a
 * `postgres://` or `postgresql://` URL is PostgreSQL (kb/postgres/). Both answer the same synchronous calls, so the
 * KB's modules speak one SQL (see kb/postgres/translate.ts for the few words PostgreSQL spells differently).
 */
import { Database } from "bun:sqlite";
import { PostgresEngine } from "./postgres/engine";

export type Dialect = "sqlite" | "postgres";

/** Bound values: positional (`?`, `?NNN`) as arguments, or named (`@name`) as one object. */
export type Binding = string | number | bigint | boolean | null | Uint8Array;
export type Bindings = Binding[] | [Record<string, Binding | undefined>];

export interface Statement {
  all(...params: Bindings): unknown[];
  get(...params: Bindings): unknown;
  run(...params: Bindings): { changes: number; lastInsertRowid: number | bigint };
}

/** A transaction wrapper as bun:sqlite makes it: call it (deferred) or `.immediate()` (takes the write lock first). */
export interface Transaction<T> {
  (): T;
  immediate(): T;
}

export interface Engine {
  readonly dialect: Dialect;
  query(sql: string): Statement;
  /** Run one or more statements with no parameters. */
  exec(sql: string): void;
  /** Wrap `fn` in a transaction; nested, it is a savepoint. */
  transaction<T>(fn: () => T): Transaction<T>;
  readonly inTransaction: boolean;
  /**
   * Read everything from here to close() from one consistent snapshot: a transaction left open, its snapshot taken at
   * once (SQLite: deferred, so a cache write can still upgrade it; PostgreSQL: REPEATABLE READ).
   */
  beginSnapshot(): void;
  close(): void;
}

/** Whether a KB location names a PostgreSQL database rather than a file. */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** A location as it may be shown: a URL's password is replaced by `***`. */
export function showLocation(location: string): string {
  if (!isPostgresLocation(location)) return location;
  return location.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@/]*@/i, "$1***@");
}

/** Open the engine for a KB location (a SQLite file, `:memory:`, or a PostgreSQL URL). */
export function openEngine(location: string): Engine {
  if (isPostgresLocation(location)) return new PostgresEngine(location);
  // strict: named parameters bind without their prefix and a missing one is an error, not a NULL.
  const db = new Database(location, { create: true, strict: true });
  const beginSnapshot = () => {
    db.exec("BEGIN");
    // The snapshot starts at the first read; take it now.
    db.query("SELECT count(*) FROM sqlite_master").get();
  };
  return Object.assign(db, { dialect: "sqlite" as const, beginSnapshot }) as unknown as Engine;
}
