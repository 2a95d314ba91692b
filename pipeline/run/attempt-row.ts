/** The one mapping of a ladder Attempt to its `attempts` row: the KB stores it and the event stream sends it, so no field is lost between them. */
import type { AttemptRow } from "../../kb/kb";
import type { Attempt } from "../review/ladder";

/** The `attempts` row of one attempt on a file (without the KB's own id, iteration and timestamp). */
export function attemptRow(path: string, a: Attempt): AttemptRow {
  return {
    path,
    shard_index: a.shardIndex,
    rung: a.rung,
    model: a.model,
    outcome: a.outcome,
    reason: a.reason,
    latency_ms: a.latencyMs,
    tokens_in: a.tokensIn,
    tokens_out: a.tokensOut,
    cost_usd: a.costUsd,
    output_format: a.format,
    server: a.server,
    purpose: a.purpose,
    redactions: a.redactions,
    prompt_sha: a.promptSha,
  };
}
