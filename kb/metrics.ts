/** Metrics: those a run stores with its iteration, and those computed from the rows (kb/aggregates.ts). SQL only. */
import { allMetrics, historyCounts, iterationMetrics, outcomeMetrics, type HistoryRow, type Metrics } from "./aggregates";
import type { KbContext } from "./context";

export class MetricsRepo {
  constructor(private readonly ctx: KbContext) {}

  /** The metrics stored with an iteration, by name. */
  of(iterationId: number): Metrics {
    const rows = this.ctx.db.query(`SELECT name, value FROM metrics WHERE iteration_id = ? ORDER BY name`).all(iterationId) as { name: string; value: number | null }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }

  record(iterationId: number, metrics: Metrics): void {
    const stmt = this.ctx.db.query(`INSERT INTO metrics (iteration_id, name, value) VALUES (?, ?, ?)`);
    this.ctx.db.transaction(() => {
      for (const [name, value] of Object.entries(metrics)) stmt.run(iterationId, name, value);
    })();
  }

  /** Metrics of an iteration computed from its rows, in SQL (docs/METRICS.md; no probes, no wall time). */
  computed(iterationId: number): Metrics {
    return iterationMetrics(this.ctx.db, iterationId);
  }

  /** Do findings get fixed: resolution, dismissal and time-to-fix of this iteration against the state before it. */
  outcomes(iterationId: number, previousState: number | null): Metrics {
    return outcomeMetrics(this.ctx.db, iterationId, previousState);
  }

  /** Every stored metric of every iteration. */
  all(): Map<number, Metrics> {
    return allMetrics(this.ctx.db);
  }

  /** History's per-iteration counts, in two grouped queries. */
  history(): Map<number, HistoryRow> {
    return historyCounts(this.ctx.db);
  }
}
