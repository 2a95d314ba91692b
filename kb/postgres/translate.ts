/**
 * The KB's SQL as PostgreSQL reads it. The KB's modules write one SQL; the words PostgreSQL spells differently are
 * rewritten here, outside string literals and quoted names:
 * - parameters: `?` (in order), `?NNN` (by number) and `@name` (named, bound from one object) become `$N`;
 * - `IS ?` (null-safe equality) becomes `IS NOT DISTINCT FROM $N`;
 * - `AS REAL` becomes `AS DOUBLE PRECISION` (PostgreSQL's `real` is 4 bytes);
 * - an INSERT into a table with an `id` gets `RETURNING id`, for `lastInsertRowid`.
 * `round(double precision, int)` and `group_concat(text)` are defined by the PostgreSQL schema
 * (kb/migrations/postgres/baseline.sql), so aggregates read the same in both dialects; a count of rows meeting a
 * condition is written `sum(CASE WHEN … THEN 1 ELSE 0 END)` (PostgreSQL has no sum of booleans).
 */
import type { Binding, Bindings } from "../engine";

export interface Translated {
  sql: string;
  /** The parameter list PostgreSQL takes, from the arguments the statement was called with. */
  bind(params: Bindings): Binding[];
  /** Whether the statement returns the inserted row's id. */
  returnsId: boolean;
}

/** Tables whose rows have an `id` (every other table is keyed by its columns). */
const ID_TABLES = new Set(["iterations", "file_reviews", "findings", "attempts", "notes", "dismissals", "bench_runs", "server_traits"]);

export function translate(sql: string): Translated {
  let out = "";
  let next = 0;
  let highest = 0;
  const named: string[] = [];
  type Kind = "none" | "positional" | "numbered" | "named";
  const params = { kind: "none" as Kind };
  const use = (k: Kind) => {
    if (params.kind !== "none" && params.kind !== k) throw new Error(`SQL mixes ${params.kind} and ${k} parameters: ${sql}`);
    params.kind = k;
  };
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = closing(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end;
    } else if (c === "?") {
      const digits = /^\d+/.exec(sql.slice(i + 1))?.[0];
      if (digits) {
        use("numbered");
        highest = Math.max(highest, Number(digits));
        out += `$${digits}`;
        i += 1 + digits.length;
      } else {
        use("positional");
        out += `$${++next}`;
        i += 1;
      }
    } else if (c === "@" && /[A-Za-z_]/.test(sql[i + 1] ?? "")) {
      use("named");
      const name = /^[A-Za-z_]\w*/.exec(sql.slice(i + 1))![0];
      let at = named.indexOf(name);
      if (at === -1) at = named.push(name) - 1;
      out += `$${at + 1}`;
      i += 1 + name.length;
    } else {
      out += c;
      i += 1;
    }
  }
  out = out.replace(/\bIS\s+\$(\d+)/g, "IS NOT DISTINCT FROM $$$1").replace(/\bAS\s+REAL\b/gi, "AS DOUBLE PRECISION");
  const table = /^\s*INSERT\s+INTO\s+(\w+)/i.exec(out)?.[1]?.toLowerCase();
  const returnsId = table !== undefined && ID_TABLES.has(table) && !/\bRETURNING\b/i.test(out);
  if (returnsId) out += " RETURNING id";
  const { kind } = params;
  const count = kind === "numbered" ? highest : kind === "positional" ? next : named.length;
  const bind = (args: Bindings): Binding[] => {
    if (kind === "named") {
      const values = (args[0] ?? {}) as Record<string, Binding | undefined>;
      return named.map((name) => {
        if (!(name in values) || values[name] === undefined) throw new Error(`missing parameter @${name} in: ${sql}`);
        return value(values[name]!);
      });
    }
    if (args.length < count) throw new Error(`${count} parameters expected, ${args.length} given: ${sql}`);
    return (args as Binding[]).slice(0, count).map(value);
  };
  return { sql: out, bind, returnsId };
}

/** Booleans bind as 0/1, as bun:sqlite binds them (the KB's flags are integers). */
function value(v: Binding): Binding {
  return typeof v === "boolean" ? (v ? 1 : 0) : v;
}

/** The index after a quoted literal or name starting at `start` (a doubled quote inside it is part of it). */
function closing(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i += 1;
  }
  return sql.length;
}
