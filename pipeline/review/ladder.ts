/** The ladder: a shard goes to the first rung and climbs only when the answer is thin, invalid or failed. */
import type { Acceptance, OutputFormat } from "../answer/accept";
import { acceptAnswer } from "../answer/accept";
import type { RungConfig } from "../config/config";
import { ProviderError } from "../errors";
import { redactRequest } from "./redact";
import { DEFAULT_RETRY_POLICY, failureOf, retryable, retryDelayMs, type RetryPolicy } from "./retry";
import type { Rung } from "./rung";
import type { Completion, CompletionRequest } from "../providers/provider";
import { estimateRequest, truncationReason, windowShortfall } from "./tokens";
import { shardRequestSchema, type ShardVerdict } from "../verdict/verdict";

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

/** Accepted answers by the hash of what was asked; `lookup` gives the answer text. */
export interface AnswerCache {
  lookup(promptSha: string): { text: string; iterationId: number } | undefined;
}

export interface LadderDeps {
  minChars: number;
  /** Waits between retries; injected so tests never sleep. Rejects when the signal aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Called after every attempt (progress display). */
  onAttempt?: (attempt: Attempt) => void;
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
}

/** A call's estimated spend held against the budget while it is in flight. */
export interface BudgetHold {
  release(): void;
}

/** A call refused by the budget in its queue slot: nothing was sent. */
class BudgetRefusal extends Error {}

export interface LadderResult {
  accepted: { verdict: ShardVerdict; rung: string; model: string; format: OutputFormat; notes: string[] } | null;
  attempts: Attempt[];
  /** Why each rung gave up, for an unreviewed shard. */
  reasons: string[];
}

/** The structured-output schema a rung is sent, when it asks for one. */
export function schemaFor(rung: RungConfig): Record<string, unknown> | undefined {
  if (!rung.structured || rung.provider === "static") return undefined;
  // One schema for every provider; each turns it into its own wire form (OpenAI strict json_schema, Ollama `format`).
  return shardRequestSchema();
}

/** The cache key of a request to a rung: what the model is asked, exactly (model, system, prompt, schema). */
export function promptKey(rung: RungConfig, request: CompletionRequest): string {
  const hasher = new Bun.CryptoHasher("sha256");
  // The fence token is new in every request; the question it fences is not, so the key reads it as a constant.
  const { nonce } = request;
  const plain = (text: string) => (nonce ? text.replaceAll(nonce, "\u0000nonce\u0000") : text);
  for (const part of [rung.provider, rung.model, plain(request.system), plain(request.prompt), schemaText(request.schema)]) hasher.update(`${part}\u0000`);
  return hasher.digest("hex");
}

const schemaTexts = new WeakMap<object, string>();
/** The schema's JSON, once per schema object (every shard request carries the same frozen one). */
function schemaText(schema: Record<string, unknown> | undefined): string {
  if (schema === undefined) return "null";
  let text = schemaTexts.get(schema);
  if (text === undefined) schemaTexts.set(schema, (text = JSON.stringify(schema)));
  return text;
}

/** Cost of one call from the rung's per-million-token prices. */
export function costOf(rung: RungConfig, tokensIn: number, tokensOut: number): number {
  return (tokensIn * rung.costInPerMtok + tokensOut * rung.costOutPerMtok) / 1_000_000;
}

/** How a rung's answer is judged: accepted with a value, or rejected as thin/invalid with a reason. */
export type Judgement<T> =
  | { outcome: "accepted"; value: T; format: OutputFormat | null; notes: string[] }
  | { outcome: "thin" | "invalid" | "refused"; reason: string; format: OutputFormat | null };

export interface RungResult<T> {
  accepted: { value: T; format: OutputFormat | null; notes: string[] } | null;
  /** Why the rung gave up (empty when accepted). */
  reason: string;
}

/**
 * One rung's try at a request: the call, the rung's retries for retryable transport failures (honouring Retry-After),
 * and the judgement of the answer. Every call is recorded through `record`.
 */
export async function tryRung<T>(
  rung: Rung,
  request: CompletionRequest,
  judge: (text: string, rung: RungConfig) => Judgement<T>,
  base: Pick<Attempt, "shardIndex" | "purpose">,
  record: (attempt: Attempt) => void,
  deps: Pick<LadderDeps, "sleep" | "cache" | "budget" | "reserve" | "priority" | "retry" | "onCooldown">,
  signal: AbortSignal,
  options: { cacheOnly?: boolean } = {},
): Promise<RungResult<T>> {
  const { config } = rung;
  // The whole request is redacted before anything leaves for a cloud rung; a local rung gets it as it is.
  const redacted = config.cloud ? await redactRequest(request) : { request, count: 0 };
  request = redacted.request;
  const promptSha = rung.provider.kind === "static" ? null : promptKey(config, request);
  const who = { ...base, rung: config.name, model: config.model, redactions: redacted.count, promptSha };
  const cached = promptSha !== null ? deps.cache?.lookup(promptSha) : undefined;
  if (cached !== undefined) {
    const judged = judge(cached.text, config);
    // An old answer that today's acceptance rules reject is asked again instead.
    if (judged.outcome === "accepted") {
      record({ ...who, outcome: "cached", reason: `answer accepted in iteration ${cached.iterationId}, reused`, latencyMs: 0, tokensIn: 0, tokensOut: 0, costUsd: 0, format: judged.format, server: null });
      return { accepted: { value: judged.value, format: judged.format, notes: judged.notes }, reason: "" };
    }
  }
  if (options.cacheOnly) return { accepted: null, reason: "not cached" };
  // Counted before sending: a request the window cannot hold is never sent (a server would cut or refuse it).
  const estimate = await estimateRequest(request, config);
  const shortfall = windowShortfall(estimate, config);
  if (shortfall) {
    const reason = `window too small: ${shortfall}`;
    record({ ...who, outcome: "skipped", reason, latencyMs: 0, tokensIn: 0, tokensOut: 0, costUsd: 0, format: null, server: null });
    return { accepted: null, reason: `skipped: ${reason}` };
  }
  const policy = deps.retry ?? DEFAULT_RETRY_POLICY;
  const skip = (why: string): RungResult<T> => {
    record({ ...who, outcome: "skipped", reason: why, latencyMs: 0, tokensIn: 0, tokensOut: 0, costUsd: 0, format: null, server: null });
    return { accepted: null, reason: `skipped: ${why}` };
  };
  // Servers this request failed on: the next call fails over to another server of the fleet when there is one.
  const failedOn = new Set<string>();
  // Of those, the ones whose failure was the server's (5xx, 429, timeout, connection): they count against the server's
  // breaker, and the rung's cooldown, only once the request ends — a call that succeeded after retries is no fault.
  const faultedOn = new Set<string>();
  let lastFault: string | null = null;
  const settle = (answeredBy: string | null) => {
    rung.provider.settled?.({ failedOn: faultedOn, answeredBy });
    if (answeredBy !== null || lastFault === null) return;
    const cooledNow = rung.health.failed(lastFault);
    if (cooledNow) deps.onCooldown?.(config.name, cooledNow);
  };
  let reason = "";
  let retried = 0;
  for (let n = 0; n <= config.retries; n++) {
    retried = n;
    signal.throwIfAborted();
    const cooled = rung.health.cooled();
    if (cooled) return skip(`cooldown: ${cooled}`);
    const spent = deps.budget?.();
    if (spent) return skip(`budget: ${spent}`);
    const clock = { started: performance.now() };
    // Held from the moment the call has its queue slot until it is recorded: spend and holds never leave a gap.
    let hold: BudgetHold | undefined;
    const reserve =
      deps.reserve && rung.provider.kind !== "static"
        ? () => {
            const held = deps.reserve!(costOf(config, estimate.prompt, estimate.output), estimate.total);
            if (typeof held === "string") throw new BudgetRefusal(held);
            hold = held;
          }
        : undefined;
    try {
      const completion = await placeCall(rung, { request, tokens: estimate.total, avoid: failedOn, priority: deps.priority ?? 0, clock, ...(reserve ? { reserve } : {}) }, signal);
      rung.health.succeeded();
      settle(completion.server ?? null);
      // An answer to a prompt the server cut, or cut off itself, is judged by none of its text.
      const cut = truncationReason(completion, estimate, config.contextTokens);
      const judged: Judgement<T> = cut ? { outcome: "invalid", reason: cut, format: null } : judge(completion.text, config);
      const call = {
        ...who,
        latencyMs: Math.round(completion.latencyMs),
        tokensIn: completion.tokensIn,
        tokensOut: completion.tokensOut,
        costUsd: costOf(config, completion.tokensIn, completion.tokensOut),
        format: judged.format,
        server: completion.server ?? null,
      };
      if (judged.outcome === "accepted") {
        record({ ...call, outcome: "accepted", reason: judged.notes.length > 0 ? judged.notes.join("; ") : null, ...(promptSha !== null ? { answer: completion.text } : {}) });
        return { accepted: { value: judged.value, format: judged.format, notes: judged.notes }, reason: "" };
      }
      record({ ...call, outcome: judged.outcome, reason: judged.reason });
      // A thin or invalid answer climbs: the same model asked again rarely does better.
      return { accepted: null, reason: `${judged.outcome}: ${judged.reason}` };
    } catch (e) {
      if (signal.aborted) throw signal.reason ?? e;
      if (e instanceof BudgetRefusal) return skip(`budget: ${e.message}`);
      if (!(e instanceof ProviderError)) throw e;
      const { server, sent } = failureOf(e);
      // Every server is held by its breaker: nothing was sent, and the shard climbs instead of waiting out the hold.
      // A rung held this often keeps failing: it counts toward the cooldown like a failed call.
      if (!sent) {
        lastFault = `breaker: ${e.message}`;
        settle(null);
        return skip(`breaker: ${e.message}`);
      }
      if (server !== null) failedOn.add(server);
      learnWindow(rung, e);
      const outcome: AttemptOutcome = e.kind === "timeout" ? "timeout" : "error";
      const latencyMs = Math.round(performance.now() - clock.started);
      record({ ...who, outcome, reason: e.message, latencyMs, tokensIn: 0, tokensOut: 0, costUsd: 0, format: null, server });
      reason = `${outcome}: ${e.message}`;
      if (retryable(e)) {
        if (server !== null) faultedOn.add(server);
        lastFault = `${outcome}: ${e.message}`;
      }
      // A failed call spent nothing: its hold goes back before the backoff, not after it.
      hold?.release();
      hold = undefined;
      if (!retryable(e) || n === config.retries) break;
      const failover = config.servers.length > failedOn.size && server !== null;
      await deps.sleep(retryDelayMs(e, n, policy, failover), signal);
    } finally {
      hold?.release();
    }
  }
  settle(null);
  return { accepted: null, reason: `${reason}${retried > 0 ? ` (after ${retried} retries)` : ""}` };
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
  const judge = (text: string, rung: RungConfig): Judgement<ShardVerdict> => {
    // A model's answer is judged for junk against the shard it was asked about; the static rung's own rules are not.
    const junk = rung.provider === "static" ? {} : { junk: { ...(request.shard ? { shard: request.shard.text } : {}) } };
    const a: Acceptance = acceptAnswer(text, { minChars: deps.minChars, ...junk });
    return a.outcome === "accepted"
      ? { outcome: "accepted", value: a.verdict, format: a.format, notes: a.notes }
      : { outcome: a.outcome, reason: a.reason, format: a.format };
  };
  // An unchanged question answered before costs nothing, whichever rung answered it: no rung is called again.
  if (deps.cache) {
    for (const rung of rungs) {
      const schema = schemaFor(rung.config);
      const hit = await tryRung(rung, { ...request, ...(schema ? { schema } : {}) }, judge, { shardIndex, purpose: "review" }, record, deps, signal, { cacheOnly: true });
      if (hit.accepted) {
        const { value, format, notes } = hit.accepted;
        return { accepted: { verdict: value, rung: rung.config.name, model: rung.config.model, format: format ?? "forensic_json", notes }, attempts, reasons };
      }
    }
  }
  for (const rung of rungs) {
    const schema = schemaFor(rung.config);
    const result = await tryRung(rung, { ...request, ...(schema ? { schema } : {}) }, judge, { shardIndex, purpose: "review" }, record, deps, signal);
    if (result.accepted) {
      const { value, format, notes } = result.accepted;
      return { accepted: { verdict: value, rung: rung.config.name, model: rung.config.model, format: format ?? "forensic_json", notes }, attempts, reasons };
    }
    reasons.push(`rung ${rung.config.name} (${rung.config.model}) ${result.reason}`);
  }
  return { accepted: null, attempts, reasons };
}

/** Whether some rung's window holds the request; rungs without a window (static) do not count, and a ladder of only those holds anything. */
export async function fitsSomeWindow(request: Omit<CompletionRequest, "schema">, rungs: Rung[]): Promise<boolean> {
  const windowed = rungs.filter((r) => r.config.contextTokens !== undefined);
  for (const r of windowed) {
    const schema = schemaFor(r.config);
    if (!windowShortfall(await estimateRequest({ ...request, ...(schema ? { schema } : {}) }, r.config), r.config)) return true;
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

export { abortableSleep, makeRung, type Rung } from "./rung";
