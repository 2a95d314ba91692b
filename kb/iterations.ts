/** The iterations: opening, finding, owning and finishing the sweeps of the loop. SQL only. */
import { hostname } from "node:os";
import { UsageError } from "../domain/errors";
import type { Iteration } from "../domain/records";
import { stamp, type KbContext } from "./context";
import { checkIterationRow } from "./integrity";
import { enqueue } from "./queue";
import { iterationOf, type IterationRow } from "./rows";

/** Who runs an iteration. */
export interface Owner {
  host: string;
  pid: number;
}

/** This process on this host. */
export function thisProcess(): Owner {
  return { host: hostname(), pid: process.pid };
}

export interface NewIteration {
  label: string | null;
  configJson: string;
  gitCommit: string | null;
  targets: string[];
  owner?: Owner;
  partition?: { label: string | null; json: string };
  group?: string;
}

export class Iterations {
  constructor(private readonly ctx: KbContext) {}

  /** Open a running iteration owned by `owner` (default: this process on this host). */
  start(input: NewIteration): number {
    const at = stamp(this.ctx);
    const owner = input.owner ?? thisProcess();
    const info = this.ctx.db
      .query(
        `INSERT INTO iterations (label, status, started_at, config_json, git_commit, targets_json, host, pid, heartbeat_at, partition, partition_json, group_name)
         VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(input.label, at, input.configJson, input.gitCommit, JSON.stringify(input.targets), owner.host, owner.pid, at, input.partition?.label ?? null, input.partition?.json ?? null, input.group ?? null);
    return Number(info.lastInsertRowid);
  }

  /** Every iteration, oldest first. */
  all(): Iteration[] {
    return (this.ctx.db.query(`SELECT * FROM iterations ORDER BY id`).all() as IterationRow[]).map((row) => this.checked(row));
  }

  get(id: number): Iteration | undefined {
    const row = this.ctx.db.query(`SELECT * FROM iterations WHERE id = ?`).get(id) as IterationRow | null;
    return row ? this.checked(row) : undefined;
  }

  /** The iteration an ITER reference names, or undefined when it names none (see resolve). */
  find(ref: string): Iteration | undefined {
    const all = this.all();
    if (ref === "latest") return all.at(-1);
    if (ref === "previous") return all.at(-2);
    if (/^\d+$/.test(ref)) return all.find((r) => r.id === Number(ref));
    return [...all].reverse().find((r) => r.label === ref);
  }

  /** Resolve an ITER reference: an id, a label (its latest iteration), `latest` or `previous`. */
  resolve(ref: string | undefined): Iteration {
    const all = this.all();
    if (all.length === 0) throw new UsageError(`the knowledge base has no iterations yet; run \`scrum run PATH\` first`);
    const pick = (row: Iteration | undefined, what: string): Iteration => {
      if (!row) throw new UsageError(`no iteration ${what}; \`scrum history\` lists them`);
      return row;
    };
    if (ref === undefined || ref === "latest") return pick(all[all.length - 1], "latest");
    if (ref === "previous") return pick(all[all.length - 2], "before the latest");
    if (/^\d+$/.test(ref)) return pick(all.find((r) => r.id === Number(ref)), `with id ${ref}`);
    return pick([...all].reverse().find((r) => r.label === ref), `labelled "${ref}"`);
  }

  /**
   * The iteration of a group of workers: the group's latest one, else a new one that `start` opens, with `paths` as
   * its queue (with `shares`, a partitioned group's: each path's share). Of workers arriving at once exactly one opens
   * it (a lock on the group's name).
   */
  join(group: string, start: () => number, paths: () => string[], shares?: () => ReadonlyMap<string, number>): { iteration: Iteration; created: boolean } {
    const db = this.ctx.db;
    return db.transaction(() => {
      if (db.dialect === "postgres") db.query(`SELECT pg_advisory_xact_lock(hashtext(CAST(? AS TEXT))) AS locked`).get(`scrum-group:${group}`);
      const found = this.ofGroup(group);
      if (found) return { iteration: found, created: false };
      const id = start();
      enqueue(db, id, paths(), shares?.());
      return { iteration: this.get(id)!, created: true };
    }).immediate();
  }

  /** The latest iteration of a group of workers, or undefined when the group has none yet. */
  ofGroup(group: string): Iteration | undefined {
    const found = this.ctx.db.query(`SELECT id FROM iterations WHERE group_name = ? ORDER BY id DESC LIMIT 1`).get(group) as { id: number } | null;
    return found ? this.get(found.id) : undefined;
  }

  /**
   * Inside a transaction: hold the iteration so other processes wait here (PostgreSQL: an advisory lock to the end of
   * the transaction; SQLite's write transaction already holds the whole file).
   */
  lock(id: number): void {
    if (this.ctx.db.dialect === "postgres") this.ctx.db.query(`SELECT pg_advisory_xact_lock(CAST(? AS BIGINT)) AS locked`).get(id);
  }

  /**
   * Take over an iteration to finish it: an aborted one, or a running one whose owner is gone — only if it is still
   * exactly as `seen` (same status and heartbeat), so of two processes trying at once exactly one wins.
   */
  takeOver(seen: Iteration, owner: Owner): boolean {
    const info = this.ctx.db
      .query(
        `UPDATE iterations SET status = 'running', finished_at = NULL, error = NULL, host = ?, pid = ?, heartbeat_at = ?
         WHERE id = ? AND status = ? AND status <> 'done' AND heartbeat_at IS ?`,
      )
      .run(owner.host, owner.pid, stamp(this.ctx), seen.id, seen.status, seen.heartbeat_at);
    return info.changes === 1;
  }

  /** The owner says it is alive. Only a running iteration of this owner changes. */
  heartbeat(id: number, owner: Owner): void {
    this.ctx.db.query(`UPDATE iterations SET heartbeat_at = ? WHERE id = ? AND status = 'running' AND host = ? AND pid = ?`).run(stamp(this.ctx), id, owner.host, owner.pid);
  }

  /** A shared iteration is being worked on (any worker of its group lives). */
  touch(id: number): void {
    this.ctx.db.query(`UPDATE iterations SET heartbeat_at = ? WHERE id = ? AND status = 'running'`).run(stamp(this.ctx), id);
  }

  /** Mark a running or stale iteration aborted (what finished is kept). */
  abort(id: number, error: string): boolean {
    return this.ctx.db.query(`UPDATE iterations SET status = 'aborted', finished_at = ?, error = ? WHERE id = ? AND status = 'running'`).run(stamp(this.ctx), error, id).changes === 1;
  }

  finish(id: number, status: "done" | "aborted", error?: string): void {
    this.ctx.db.query(`UPDATE iterations SET status = ?, finished_at = ?, error = ? WHERE id = ? AND status = 'running'`).run(status, stamp(this.ctx), error ?? null, id);
  }

  private checked(row: IterationRow): Iteration {
    checkIterationRow(row, this.ctx.file);
    return iterationOf(row);
  }
}
