/** What one model call leaves behind: the attempt stored in the KB, and how an answer is judged. */
import type { OutputFormat } from "../answer/accept";

/**
 * `skipped`: the rung was passed over without a call (its window cannot hold the request, or the budget is spent); the
 * reason says why. `cached`: no call either — the same question was answered and accepted before (cost 0).
 */
export type AttemptOutcome = "accepted" | "cached" | "thin" | "invalid" | "refused" | "error" | "timeout" | "skipped";

/** One model call, as stored in the `attempts` table. */
export interface Attempt {
  shardIndex: number;
  rung: string;
  model: string;
  outcome: AttemptOutcome;
  reason: string | null;
  latencyMs: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  format: OutputFormat | null;
  server: string | null;
  purpose: "review" | "reduce" | "verify";
  /** Secrets replaced in the request before it went to a `cloud = true` rung (0 for a local rung). */
  redactions: number;
  /** The cache key of what was asked (model, rendered prompt, schema); null for the static rung. */
  promptSha: string | null;
  /** The accepted answer's text, kept so the same question is never paid for twice. */
  answer?: string;
}

/** How a rung's answer is judged: accepted with a value, or rejected as thin/invalid with a reason. */
export type Judgement<T> =
  | { outcome: "accepted"; value: T; format: OutputFormat | null; notes: string[] }
  | { outcome: "thin" | "invalid" | "refused"; reason: string; format: OutputFormat | null };
