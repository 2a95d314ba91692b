/** What the KB learnt about model servers, and the results of `scrum bench`. SQL only. */
import { stamp, type KbContext } from "./context";

/** A trait of a server and model, learnt at `learnt_at` (the newest per trait is in force). */
export interface ServerTrait {
  server: string;
  model: string;
  trait: "shape" | "systemRole" | "window";
  value: string;
  reason: string;
  learnt_at: string;
}

/** A variant's numbers from one `scrum bench`; `details_json` holds the per-operator breakdown. */
export interface BenchRun {
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

export class ServerTraits {
  constructor(private readonly ctx: KbContext) {}

  /** Remember a trait learnt about a server (the request shape it accepts, its system role, its window). */
  record(trait: Omit<ServerTrait, "learnt_at">): void {
    this.ctx.db
      .query(`INSERT INTO server_traits (server, model, trait, value, reason, learnt_at) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(trait.server, trait.model, trait.trait, trait.value, trait.reason, stamp(this.ctx));
  }

  /** The newest of each (server, model, trait): what is known about every server seen. */
  all(): ServerTrait[] {
    return this.ctx.db
      .query(
        `SELECT server, model, trait, value, reason, learnt_at FROM server_traits WHERE id IN (SELECT MAX(id) FROM server_traits GROUP BY server, model, trait) ORDER BY server, model, trait`,
      )
      .all() as ServerTrait[];
  }
}

export class BenchRuns {
  constructor(private readonly ctx: KbContext) {}

  /** Append one bench result (a rung, the ladder, or the ladder with consensus); results of one bench share `started_at`. */
  record(run: Omit<BenchRun, "id">): number {
    const info = this.ctx.db
      .query(
        `INSERT INTO bench_runs (started_at, config_json, rung, planted, found, recall, precision, noise_per_kloc, tokens, cost_usd, cost_per_tp, stability, details_json)
         VALUES (@started_at, @config_json, @rung, @planted, @found, @recall, @precision, @noise_per_kloc, @tokens, @cost_usd, @cost_per_tp, @stability, @details_json)`,
      )
      .run(run);
    return Number(info.lastInsertRowid);
  }

  /** Every bench result, oldest first. */
  all(): BenchRun[] {
    return this.ctx.db.query(`SELECT * FROM bench_runs ORDER BY id`).all() as BenchRun[];
  }
}
