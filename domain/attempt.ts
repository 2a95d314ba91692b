/** What one call to a rung leaves behind, as the attempts table stores it. */

/** How an answer was read: the forensic JSON, a markdown review, or text in neither form. */
export type OutputFormat = "forensic_json" | "markdown" | "unstructured";

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
