/** Per-rung aggregates from the log: answers by outcome, cost, and how often later judgments overturned a rung's findings. */
import type { KbContext } from "./context";
import type { Engine } from "./engine";
import type { OverturnCount } from "../domain/overturn";

/** A finding judged after the fact: the verifier settled it, or a user dismissed it (then or since). */
const JUDGED = `(disposition IN ('confirmed', 'refuted') OR dismissal_id IS NOT NULL OR fingerprint IN (SELECT fingerprint FROM dismissals WHERE undone_at IS NULL))`;
const OVERTURNED = `(disposition = 'refuted' OR dismissal_id IS NOT NULL OR fingerprint IN (SELECT fingerprint FROM dismissals WHERE undone_at IS NULL))`;

/** Judged and overturned findings per producing rung and category, over every iteration. */
export function overturnCounts(db: Engine): OverturnCount[] {
  return db
    .query(
      `SELECT rung, category, coalesce(sum(CASE WHEN ${JUDGED} THEN 1 ELSE 0 END), 0) AS judged, coalesce(sum(CASE WHEN ${OVERTURNED} THEN 1 ELSE 0 END), 0) AS overturned
       FROM findings WHERE rung IS NOT NULL AND category <> 'verified_components' AND evidence_verified = 1
       GROUP BY rung, category ORDER BY rung, category`,
    )
    .all() as OverturnCount[];
}

/** One rung's answers, cost and confirmed findings over every iteration. */
export interface RungTotals {
  rung: string;
  model: string;
  answers: number;
  accepted: number;
  cached: number;
  thin: number;
  invalid: number;
  failed: number;
  verify_calls: number;
  cost_usd: number;
  tokens: number;
  latency_ms: number;
  confirmed: number;
}

export function rungTotals(db: Engine): RungTotals[] {
  return db
    .query(
      `SELECT a.rung, group_concat(DISTINCT a.model) AS model,
         coalesce(sum(CASE WHEN a.purpose = 'review' AND a.outcome NOT IN ('skipped', 'cached') THEN 1 ELSE 0 END), 0) AS answers,
         coalesce(sum(CASE WHEN a.purpose = 'review' AND a.outcome = 'accepted' THEN 1 ELSE 0 END), 0) AS accepted,
         coalesce(sum(CASE WHEN a.purpose = 'review' AND a.outcome = 'cached' THEN 1 ELSE 0 END), 0) AS cached,
         coalesce(sum(CASE WHEN a.purpose = 'review' AND a.outcome = 'thin' THEN 1 ELSE 0 END), 0) AS thin,
         coalesce(sum(CASE WHEN a.purpose = 'review' AND a.outcome = 'invalid' THEN 1 ELSE 0 END), 0) AS invalid,
         coalesce(sum(CASE WHEN a.purpose = 'review' AND a.outcome IN ('error', 'timeout') THEN 1 ELSE 0 END), 0) AS failed,
         coalesce(sum(CASE WHEN a.purpose = 'verify' AND a.outcome NOT IN ('skipped', 'cached') THEN 1 ELSE 0 END), 0) AS verify_calls,
         coalesce(sum(a.cost_usd), 0) AS cost_usd,
         coalesce(sum(a.tokens_in + a.tokens_out), 0) AS tokens,
         coalesce(sum(a.latency_ms), 0) AS latency_ms,
         (SELECT count(*) FROM findings f WHERE f.rung = a.rung AND f.disposition = 'confirmed') AS confirmed
       FROM attempts a GROUP BY a.rung ORDER BY min(a.id)`,
    )
    .all() as RungTotals[];
}

/** What the log says about each rung. */
export class Rungs {
  constructor(private readonly ctx: KbContext) {}

  /** Judged and overturned findings per producing rung and category (the verifier's and users' verdicts on them). */
  overturns(): OverturnCount[] {
    return overturnCounts(this.ctx.db);
  }

  /** Per rung: answers by outcome, cost, tokens, confirmed findings, over every iteration. */
  totals(): RungTotals[] {
    return rungTotals(this.ctx.db);
  }
}
