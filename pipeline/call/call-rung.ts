/**
 * The one door of every model call (shard review, consensus votes, reduce, verify): `callRung` redacts the request
 * for a cloud rung, keys it for the answer cache, prices and reserves it against the budget, counts it against the
 * rung's window, queues it for a slot and the rate window, sends it to a server of the fleet (whose breaker may hold
 * it), retries what is worth retrying, cools the rung down when it keeps failing, and judges the answer. Every call is
 * recorded as an Attempt. The ladder above it only climbs; the providers below it only speak the wire.
 */
import type { OutputFormat, Attempt, AttemptOutcome } from "../../domain/attempt";
import type { RungConfig } from "../config/config";
import { ProviderError } from "../../domain/errors";
import type { Completion, CompletionRequest } from "../providers/provider";
import { redactRequest } from "../review/redact";
import { estimateRequest, type TokenEstimate } from "../review/tokens";
import { ANSWER_BATCH_MS, AnswerBatch } from "./answer-batch";
import type { Judgement } from "./attempt";
import { costOf, promptKey } from "./request";
import { DEFAULT_RETRY_POLICY, failureOf, retryable, retryDelayMs, type RetryPolicy } from "./retry";
import type { Rung } from "./rung";
import { budgetSpent, canFailOver, cooledDown, heldByBreaker, judgeCompletion, reusable, windowTooSmall, worthRetry } from "./rules";

/** Accepted answers by the hash of what was asked; `lookup` gives the answer text. */
export interface AnswerCache {
  lookup(promptSha: string): { text: string; iterationId: number } | undefined;
}

/** A call's estimated spend held against the budget while it is in flight. */
export interface BudgetHold {
  release(): void;
}

/** The iteration's services a call uses: sleep, answer cache, budget, queue priority, retry policy. */
export interface CallDeps {
  /** Waits between retries; injected so tests never sleep. Rejects when the signal aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The shard answer cache; absent with --no-cache. */
  cache?: AnswerCache;
  /** The iteration's spend limit: why nothing more may be sent, or null while calls may go out. */
  budget?: () => string | null;
  /**
   * Hold a call's estimated cost and tokens against what is left of the budget (calls in flight included) before it
   * is sent: a hold to release once the call is recorded, or why the call does not fit (it is then not sent).
   */
  reserve?: (costUsd: number, tokens: number) => BudgetHold | string;
  /** Queue priority of this file's calls (higher first): older files drain first. Default 0. */
  priority?: number;
  /** The retry policy (backoff, jitter, Retry-After cap). Default DEFAULT_RETRY_POLICY. */
  retry?: RetryPolicy;
  /** Told once when a rung cools down, with the reason. */
  onCooldown?: (rung: string, reason: string) => void;
  /** Where a model's answer waits to be judged with the others arriving about then. Default: the process's batch. */
  answers?: AnswerBatch;
}

const PROCESS_ANSWERS = new AnswerBatch(ANSWER_BATCH_MS);

/** Everything a call needs besides the rung, the request and the judge. */
export interface CallContext {
  shardIndex: number;
  purpose: Attempt["purpose"];
  /** Told every attempt, in order. */
  record: (attempt: Attempt) => void;
  deps: CallDeps;
  signal: AbortSignal;
  /** Only the answer cache is asked: nothing is sent. */
  cacheOnly?: boolean;
}

export interface RungResult<T> {
  accepted: { value: T; format: OutputFormat | null; notes: string[] } | null;
  /** Why the rung gave up (empty when accepted). */
  reason: string;
}

/** A call refused by the budget in its queue slot: nothing was sent. */
class BudgetRefusal extends Error {}

/** One request to one rung, as it travels through callRung. */
interface Call<T> {
  rung: Rung;
  request: CompletionRequest;
  judge: (text: string, rung: RungConfig) => Judgement<T>;
  ctx: CallContext;
  /** The fields every attempt of this call shares. */
  who: Pick<Attempt, "shardIndex" | "purpose" | "rung" | "model" | "redactions" | "promptSha">;
}

/**
 * One rung's try at a request: the cached answer when today's rules accept it, else the call, the rung's retries for
 * retryable transport failures (honouring Retry-After), and the judgement of the answer.
 */
export async function callRung<T>(rung: Rung, request: CompletionRequest, judge: Call<T>["judge"], ctx: CallContext): Promise<RungResult<T>> {
  const { config } = rung;
  // The whole request is redacted before anything leaves for a cloud rung; a local rung gets it as it is.
  const redacted = config.cloud ? await redactRequest(request) : { request, count: 0 };
  const promptSha = rung.provider.kind === "static" ? null : promptKey(config, redacted.request);
  const call: Call<T> = {
    rung, request: redacted.request, judge, ctx,
    who: { shardIndex: ctx.shardIndex, purpose: ctx.purpose, rung: config.name, model: config.model, redactions: redacted.count, promptSha },
  };
  const cached = fromCache(call);
  if (cached) return cached;
  if (ctx.cacheOnly) return { accepted: null, reason: "not cached" };
  // Counted before sending: a request the window cannot hold is never sent.
  const estimate = await estimateRequest(call.request, config);
  const tooSmall = windowTooSmall(estimate, config);
  if (tooSmall) return skip(call, tooSmall);
  return sendWithRetries(call, estimate);
}

/** The cached answer to the same question, when there is one and today's acceptance rules still take it. */
function fromCache<T>(call: Call<T>): RungResult<T> | null {
  const { promptSha } = call.who;
  const cached = promptSha !== null ? call.ctx.deps.cache?.lookup(promptSha) : undefined;
  if (cached === undefined) return null;
  const judged = call.judge(cached.text, call.rung.config);
  // An old answer that today's acceptance rules reject is asked again instead.
  if (!reusable(judged)) return null;
  call.ctx.record({ ...call.who, outcome: "cached", reason: `answer accepted in iteration ${cached.iterationId}, reused`, latencyMs: 0, tokensIn: 0, tokensOut: 0, costUsd: 0, format: judged.format, server: null });
  return { accepted: { value: judged.value, format: judged.format, notes: judged.notes }, reason: "" };
}

/** The rung passed over without a call, for `why`. */
function skip<T>(call: Call<T>, why: string): RungResult<T> {
  call.ctx.record({ ...call.who, outcome: "skipped", reason: why, latencyMs: 0, tokensIn: 0, tokensOut: 0, costUsd: 0, format: null, server: null });
  return { accepted: null, reason: `skipped: ${why}` };
}

/**
 * Where a request failed. `failedOn`: servers it failed on (the next call fails over to another server of the fleet when
 * there is one). `faultedOn`: of those, the ones whose failure was the server's (5xx, 429, timeout, connection): they
 * count against the server's breaker, and the rung's cooldown, only once the request ends — a call that succeeded after
 * retries is no fault.
 */
interface Faults {
  failedOn: Set<string>;
  faultedOn: Set<string>;
  last: string | null;
}

/** One call's end, success or failure: what went wrong, or that something went through. */
type Sent<T> = { result: RungResult<T> } | { failed: ProviderError; server: string | null; reason: string };

/** The calls of one request: the first, and the retries the policy allows while the rung is neither cooled nor over budget. */
async function sendWithRetries<T>(call: Call<T>, estimate: TokenEstimate): Promise<RungResult<T>> {
  const { rung, ctx } = call;
  const policy = ctx.deps.retry ?? DEFAULT_RETRY_POLICY;
  const faults: Faults = { failedOn: new Set(), faultedOn: new Set(), last: null };
  let reason = "";
  let retried = 0;
  for (let n = 0; ; n++) {
    ctx.signal.throwIfAborted();
    const skipped = cooledDown(rung) ?? budgetSpent(ctx.deps.budget);
    if (skipped) return skip(call, skipped);
    const sent = await sendOnce(call, estimate, faults);
    if ("result" in sent) return sent.result;
    reason = sent.reason;
    retried = n;
    if (!worthRetry(sent.failed, n, rung.config)) break;
    await ctx.deps.sleep(retryDelayMs(sent.failed, n, policy, canFailOver(rung.config, faults.failedOn, sent.server)), ctx.signal);
  }
  settle(call, faults, null);
  return { accepted: null, reason: `${reason}${retried > 0 ? ` (after ${retried} retries)` : ""}` };
}

/** One call: hold its estimated spend, place it, judge the answer; a transport failure is recorded and returned. */
async function sendOnce<T>(call: Call<T>, estimate: TokenEstimate, faults: Faults): Promise<Sent<T>> {
  const { rung, ctx } = call;
  const { config } = rung;
  const clock = { started: performance.now() };
  // Held from the moment the call has its queue slot until it is recorded: spend and holds never leave a gap.
  let hold: BudgetHold | undefined;
  const { reserve: budgetReserve } = ctx.deps;
  const reserve =
    budgetReserve && rung.provider.kind !== "static"
      ? () => {
          const held = budgetReserve(costOf(config, estimate.prompt, estimate.output), estimate.total);
          if (typeof held === "string") throw new BudgetRefusal(held);
          hold = held;
        }
      : undefined;
  try {
    const completion = await placeCall(rung, { request: call.request, tokens: estimate.total, avoid: faults.failedOn, priority: ctx.deps.priority ?? 0, clock, ...(reserve ? { reserve } : {}) }, ctx.signal);
    rung.health.succeeded();
    settle(call, faults, completion.server ?? null);
    // The queue slot is free already; the answer is judged in a batch with the others arriving about now.
    if (rung.provider.kind !== "static") await (ctx.deps.answers ?? PROCESS_ANSWERS).join();
    return { result: recordAnswer(call, completion, judgeCompletion(completion, estimate, config, call.judge)) };
  } catch (e) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? e;
    if (e instanceof BudgetRefusal) return { result: skip(call, `budget: ${e.message}`) };
    if (!(e instanceof ProviderError)) throw e;
    return recordFailure(call, e, clock.started, faults);
  } finally {
    // A failed call spent nothing: its hold goes back before any backoff, not after it.
    hold?.release();
  }
}

/** A call that failed in transport: a breaker's hold is a skip; anything else is recorded, and its server remembered. */
function recordFailure<T>(call: Call<T>, e: ProviderError, started: number, faults: Faults): Sent<T> {
  const held = heldByBreaker(e);
  if (held) {
    faults.last = held;
    settle(call, faults, null);
    return { result: skip(call, held) };
  }
  const { server } = failureOf(e);
  if (server !== null) faults.failedOn.add(server);
  learnWindow(call.rung, e);
  const outcome: AttemptOutcome = e.kind === "timeout" ? "timeout" : "error";
  const latencyMs = Math.round(performance.now() - started);
  call.ctx.record({ ...call.who, outcome, reason: e.message, latencyMs, tokensIn: 0, tokensOut: 0, costUsd: 0, format: null, server });
  if (retryable(e)) {
    if (server !== null) faults.faultedOn.add(server);
    faults.last = `${outcome}: ${e.message}`;
  }
  return { failed: e, server, reason: `${outcome}: ${e.message}` };
}

/** Record an answered call with its judgement; a thin or invalid answer climbs (the same model asked again rarely does better). */
function recordAnswer<T>(call: Call<T>, completion: Completion, judged: Judgement<T>): RungResult<T> {
  const { config } = call.rung;
  const answered = {
    ...call.who,
    latencyMs: Math.round(completion.latencyMs),
    tokensIn: completion.tokensIn,
    tokensOut: completion.tokensOut,
    costUsd: costOf(config, completion.tokensIn, completion.tokensOut),
    format: judged.format,
    server: completion.server ?? null,
  };
  if (judged.outcome === "accepted") {
    call.ctx.record({ ...answered, outcome: "accepted", reason: judged.notes.length > 0 ? judged.notes.join("; ") : null, ...(call.who.promptSha !== null ? { answer: completion.text } : {}) });
    return { accepted: { value: judged.value, format: judged.format, notes: judged.notes }, reason: "" };
  }
  call.ctx.record({ ...answered, outcome: judged.outcome, reason: judged.reason });
  return { accepted: null, reason: `${judged.outcome}: ${judged.reason}` };
}

/** The request has ended: the fleet's breakers learn which servers faulted; a request left unanswered counts toward the cooldown. */
function settle<T>(call: Call<T>, faults: Faults, answeredBy: string | null): void {
  const { rung, ctx } = call;
  rung.provider.settled?.({ failedOn: faults.faultedOn, answeredBy });
  if (answeredBy !== null || faults.last === null) return;
  const cooledNow = rung.health.failed(faults.last);
  if (cooledNow) ctx.deps.onCooldown?.(rung.config.name, cooledNow);
}

/** A window the server named in its overflow refusal holds for the rest of the run: later shards are planned against it. */
function learnWindow(rung: Rung, e: ProviderError): void {
  const named = e.kind === "context_overflow" ? e.window : undefined;
  const current = rung.config.contextTokens;
  if (named !== undefined && named > 0 && (current === undefined || named < current)) rung.config = { ...rung.config, contextTokens: named };
}

/**
 * One call through the rung: a queue slot (at the file's priority), the sliding window's room, then one server.
 * `clock.started` is reset when the call really goes out, so a failure's latency excludes the wait for a slot.
 */
async function placeCall(rung: Rung, call: PlacedCall, signal: AbortSignal): Promise<Completion> {
  return rung.queue.add(
    async () => {
      call.reserve?.();
      const admitted = rung.limit.limited ? await rung.limit.admit(call.tokens, signal) : undefined;
      call.clock.started = performance.now();
      const done = await rung.provider.complete(call.request, signal, { avoid: call.avoid, deferFaults: true });
      admitted?.settle(done.tokensIn + done.tokensOut);
      return done;
    },
    { signal, priority: call.priority },
  );
}

/** What placeCall sends: the request, its token estimate, the servers it failed on, the file's priority. */
interface PlacedCall {
  request: CompletionRequest;
  tokens: number;
  avoid: ReadonlySet<string>;
  priority: number;
  clock: { started: number };
  /** Holds the call's estimated spend once it has its slot; throws BudgetRefusal when it does not fit. */
  reserve?: () => void;
}
