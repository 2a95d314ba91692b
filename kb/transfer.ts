/**
 * Copy a knowledge base's whole history into another, empty one, on either engine (`scrum kb export` / `kb import`):
 * every table, every row, ids renumbered by the target and every reference to them (iterations, dismissals) mapped.
 * The target's append-only triggers stay on: an iteration is written running, its rows added, then finished as it
 * was — the way scrum wrote it in the first place. All in one transaction: the target gets everything or nothing.
 */
import { UsageError } from "../domain/errors";
import type { Binding, Engine } from "./engine";

type Row = Record<string, Binding>;

/** The rows copied per table. */
export type TransferCounts = Record<string, number>;

/** Tables holding an iteration's rows, in the order they are written (state may name an earlier iteration). */
const ITERATION_TABLES = ["file_reviews", "findings", "attempts", "metrics", "state", "shard_cache", "work_queue"] as const;
/** The order rows of each are copied in. */
const ORDER: Record<(typeof ITERATION_TABLES)[number], string> = {
  file_reviews: "id", findings: "id", attempts: "id", metrics: "name", state: "path", shard_cache: "rowid", work_queue: "seq",
};
/** Tables with no iteration, copied whole. */
const FREE_TABLES = ["bench_runs", "server_traits", "disk_stats"] as const;
/** The ids a table's rows get from the engine; `rowid` is PostgreSQL's column for SQLite's implicit one. */
const GENERATED = new Set(["id", "rowid"]);

/** What a target must not hold yet: history copied into a KB with its own would interleave two histories. */
const HISTORY_TABLES = ["iterations", "dismissals", "notes", "bench_runs", "server_traits"];

export function copyHistory(from: Engine, to: Engine, names: { from: string; to: string }): TransferCounts {
  for (const table of HISTORY_TABLES) {
    const n = (to.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    if (n > 0) throw new UsageError(`${names.to} already has history (${n} ${table} rows); copy into a new, empty knowledge base`);
  }
  const counts: TransferCounts = {};
  const all = (sql: string, ...params: Binding[]) => from.query(sql).all(...params) as Row[];
  const insert = (table: string, row: Row): number => {
    const columns = Object.keys(row).filter((c) => !GENERATED.has(c));
    counts[table] = (counts[table] ?? 0) + 1;
    const info = to.query(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`).run(...columns.map((c) => row[c] ?? null));
    return Number(info.lastInsertRowid);
  };
  to.transaction(() => {
    const dismissals = new Map<number, number>();
    for (const d of all(`SELECT * FROM dismissals ORDER BY id`)) dismissals.set(d.id as number, insert("dismissals", d));
    const iterations = new Map<number, number>();
    const mapped = (id: Binding, what: string): number => {
      const to = iterations.get(id as number);
      if (to === undefined) throw new Error(`bug: ${what} names iteration ${String(id)}, not copied before it`);
      return to;
    };
    for (const it of all(`SELECT * FROM iterations ORDER BY id`)) {
      const id = insert("iterations", { ...it, status: "running", finished_at: null, error: null });
      iterations.set(it.id as number, id);
      for (const table of ITERATION_TABLES) {
        for (const row of all(`SELECT * FROM ${table} WHERE iteration_id = ? ORDER BY ${ORDER[table]}`, it.id as number)) {
          const copy: Row = { ...row, iteration_id: id };
          if (table === "findings" && row.dismissal_id !== null) copy.dismissal_id = dismissals.get(row.dismissal_id as number) ?? null;
          if (table === "state") copy.from_iteration_id = mapped(row.from_iteration_id!, `a state row of iteration ${String(it.id)}`);
          insert(table, copy);
        }
      }
      if (it.status !== "running") {
        to.query(`UPDATE iterations SET status = ?, finished_at = ?, error = ?, heartbeat_at = ? WHERE id = ?`).run(it.status!, it.finished_at ?? null, it.error ?? null, it.heartbeat_at ?? null, id);
      }
    }
    for (const n of all(`SELECT * FROM notes ORDER BY id`)) {
      insert("notes", { ...n, created_in: n.created_in === null ? null : mapped(n.created_in!, "a note"), picked_up_in: n.picked_up_in === null ? null : mapped(n.picked_up_in!, "a note") });
    }
    for (const table of FREE_TABLES) for (const row of all(`SELECT * FROM ${table} ORDER BY 1`)) insert(table, row);
    for (const m of all(`SELECT key, value FROM meta ORDER BY key`)) {
      to.query(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(m.key!, m.value!);
      counts.meta = (counts.meta ?? 0) + 1;
    }
  }).immediate();
  return counts;
}
