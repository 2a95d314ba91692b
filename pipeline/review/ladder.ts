/** The ladder: a shard goes to the first rung and climbs only when the answer is thin, invalid or failed. */
import type { OutputFormat, Attempt } from "../../domain/attempt";
import { acceptAnswer } from "../answer/accept";
import type { RungConfig } from "../config/config";
import type { Judgement } from "../call/attempt";
import { callRung, type CallDeps, type RungResult } from "../call/call-rung";
import { shardRequestFor } from "../call/request";
import type { Rung } from "../call/rung";
import type { CompletionRequest } from "../providers/provider";
import { estimateRequest, windowShortfall } from "./tokens";
import type { ShardVerdict } from "../../domain/verdict";

export interface LadderDeps extends CallDeps {
  minChars: number;
  /** Called after every attempt (progress display). */
  onAttempt?: (attempt: Attempt) => void;
}

export interface LadderResult {
  accepted: { verdict: ShardVerdict; rung: string; model: string; format: OutputFormat; notes: string[] } | null;
  attempts: Attempt[];
  /** Why each rung gave up, for an unreviewed shard. */
  reasons: string[];
}

/** How a shard answer is judged; a model's answer is judged for junk against the shard it was asked about, the static rung's own rules are not. */
export function judgeShard(text: string, rung: RungConfig, minChars: number, shard: string | undefined): Judgement<ShardVerdict> {
  const junk = rung.provider === "static" ? {} : { junk: { ...(shard !== undefined ? { shard } : {}) } };
  const a = acceptAnswer(text, { minChars, ...junk });
  return a.outcome === "accepted" ? { outcome: "accepted", value: a.verdict, format: a.format, notes: a.notes } : { outcome: a.outcome, reason: a.reason, format: a.format };
}

/** Review one shard: each rung in order until an answer is accepted; every attempt is kept. */
export async function climbLadder(
  request: Omit<CompletionRequest, "schema">,
  shardIndex: number,
  rungs: Rung[],
  deps: LadderDeps,
  signal: AbortSignal,
): Promise<LadderResult> {
  const attempts: Attempt[] = [];
  const reasons: string[] = [];
  const record = (a: Attempt) => {
    attempts.push(a);
    deps.onAttempt?.(a);
  };
  const judge = (text: string, rung: RungConfig) => judgeShard(text, rung, deps.minChars, request.shard?.text);
  const ask = (rung: Rung, cacheOnly: boolean) => callRung(rung, shardRequestFor(rung.config, request), judge, { shardIndex, purpose: "review", record, deps, signal, cacheOnly });
  const acceptedBy = (rung: Rung, result: RungResult<ShardVerdict>): LadderResult | null => {
    if (!result.accepted) return null;
    const { value, format, notes } = result.accepted;
    return { accepted: { verdict: value, rung: rung.config.name, model: rung.config.model, format: format ?? "forensic_json", notes }, attempts, reasons };
  };
  // An unchanged question answered before costs nothing, whichever rung answered it: no rung is called again.
  if (deps.cache) {
    for (const rung of rungs) {
      const hit = acceptedBy(rung, await ask(rung, true));
      if (hit) return hit;
    }
  }
  for (const rung of rungs) {
    const result = await ask(rung, false);
    const done = acceptedBy(rung, result);
    if (done) return done;
    reasons.push(`rung ${rung.config.name} (${rung.config.model}) ${result.reason}`);
  }
  return { accepted: null, attempts, reasons };
}

/** Whether some rung's window holds the request; rungs without a window (static) do not count, and a ladder of only those holds anything. */
export async function fitsSomeWindow(request: Omit<CompletionRequest, "schema">, rungs: Rung[]): Promise<boolean> {
  const windowed = rungs.filter((r) => r.config.contextTokens !== undefined);
  for (const r of windowed) {
    if (!windowShortfall(await estimateRequest(shardRequestFor(r.config, request), r.config), r.config)) return true;
  }
  return windowed.length === 0;
}

/** Count escalations: each time a shard moved from one rung to the next. */
export function countEscalations(attempts: Attempt[]): number {
  const byShard = new Map<number, Set<string>>();
  for (const a of attempts) {
    if (a.purpose !== "review") continue;
    const rungs = byShard.get(a.shardIndex) ?? new Set<string>();
    rungs.add(a.rung);
    byShard.set(a.shardIndex, rungs);
  }
  let n = 0;
  for (const rungs of byShard.values()) n += rungs.size - 1;
  return n;
}
