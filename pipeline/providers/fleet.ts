/**
 * The servers of a rung. Each configured host/base_url becomes one ServerClient; the fleet sends each call to one
 * free server (least in flight, round-robin on ties), at most `perServer` calls per server, and keeps a circuit
 * breaker per server (breaker.ts). It never retries: a failed call throws a ServerCallError naming the server, and the
 * ladder's one retry policy decides whether the next call goes out (to another server, via `avoid`). One-server
 * rungs go through the same code.
 */
import { ProviderError } from "../../domain/errors";
import { abortableSleep } from "./abortable-sleep";
import { Breaker, type BreakerOptions } from "./breaker";
import type { CallOptions, Completion, CompletionRequest, ProbeResult, Provider, RequestOutcome } from "./provider";
import type { TraitBook } from "./traits";

/** The fetch the clients use; `typeof fetch` fits. Injected so tests can count or fake requests. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What a server client is built from besides the rung. The key is the value, never an env var name. */
export interface ServerOptions {
  apiKey?: string;
  fetch?: FetchLike;
  now?: () => number;
  /** What servers were found to accept (request shape, system role, window); shared by a process, seeded from the KB. */
  traits?: TraitBook;
  /** The wait between polls of a model still loading; injected so tests never sleep. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** One server of a rung (an Ollama host or an OpenAI-compatible base URL): the unit the fleet picks among. */
export interface ServerClient {
  /** The host or base URL as configured; never holds a secret. */
  readonly server: string;
  /** Throws ProviderError for transport failures, or the caller's abort reason when the caller aborted. */
  complete(request: CompletionRequest, signal: AbortSignal): Promise<Completion>;
  /** Never throws for a failing server (that is a ProbeResult); rethrows the caller's abort reason. */
  probe(signal: AbortSignal): Promise<ProbeResult>;
}

export interface FleetOptions {
  /** Calls in flight on one server (the rung's `concurrency`). Default: no limit. */
  perServer?: number;
  /** The first hold of a server's open breaker. Default 30 000 ms; it doubles on each re-open. */
  coolDownMs?: number;
  /** The rest of the breaker's settings (failures to open, longest hold). */
  breaker?: Omit<BreakerOptions, "now" | "baseHoldMs">;
  /** The clock for breakers and pauses. Default Date.now. */
  now?: () => number;
  /** How a call waits out a server's Retry-After pause; rejects when the signal aborts. Default: a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The longest pause a Retry-After may put on a server; a longer one is cut to this. Default 60 000 ms. */
  maxPauseMs?: number;
}

export const DEFAULT_COOL_DOWN_MS = 30_000;

/** A 429 without Retry-After pauses its server this long. */
const DEFAULT_PAUSE_MS = 1000;

/** A server asking for an hour's pause is not waited for an hour (the same cap as the ladder's Retry-After wait). */
export const DEFAULT_MAX_PAUSE_MS = 60_000;

/** Probes answer fast or not at all; a rung's timeout is sized for generation. */
export const PROBE_TIMEOUT_MS = 10_000;

/** A call that one server of the fleet failed: the server's own error, with the server named for the attempt row. */
export class ServerCallError extends ProviderError {
  constructor(
    readonly server: string,
    readonly error: ProviderError,
  ) {
    super(error.kind, error.message, { ...error.options, cause: error });
  }
}

/** No server of the fleet can take a call now (every breaker open or paused): nothing was sent. */
export class ServersHeldError extends ProviderError {
  constructor(
    message: string,
    /** When the first server takes calls again (fleet clock). */
    readonly availableAt: number,
  ) {
    super("connection", message);
  }
}

interface Slot {
  client: ServerClient;
  index: number;
  inFlight: number;
  breaker: Breaker;
}

/** A Provider over one or more servers of the same model. */
export function makeFleet(kind: "ollama" | "openai", model: string, servers: ServerClient[], options: FleetOptions = {}): Provider {
  if (servers.length === 0) throw new Error(`a ${kind} rung for model ${model} needs at least one server`);
  const coolDownMs = options.coolDownMs ?? DEFAULT_COOL_DOWN_MS;
  if (!Number.isFinite(coolDownMs) || coolDownMs < 0) {
    throw new TypeError(`Expected \`coolDownMs\` to be a number from 0 and up, got ${coolDownMs}`);
  }
  const perServer = options.perServer ?? Number.POSITIVE_INFINITY;
  if (!(perServer >= 1)) throw new TypeError(`Expected \`perServer\` to be a number from 1 and up, got ${perServer}`);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const maxPauseMs = options.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS;
  const pause = (slot: Slot, ms: number) => slot.breaker.pause(Math.min(Math.max(0, ms), maxPauseMs));
  const slots: Slot[] = servers.map((client, index) => ({
    client,
    index,
    inFlight: 0,
    breaker: new Breaker({ ...options.breaker, baseHoldMs: coolDownMs, now }),
  }));
  let cursor = 0;
  /** Calls waiting for a slot while the servers that may take calls are all full. */
  const waiting = new Set<() => void>();

  /**
   * A free server for the call among those it has not tried (all of them once every takeable server was tried); null
   * when those are full. A retry waits for an untried server rather than going back to the one that just failed it.
   */
  function pick(avoid: ReadonlySet<string>): Slot | { pausedUntil: number } | null {
    const takers = slots.filter((s) => s.breaker.canTake());
    if (takers.length === 0) {
      // A server that only asked for a pause (Retry-After) is waited for, like a busy one; open breakers are not.
      const paused = slots.filter((s) => s.breaker.state() === "closed").map((s) => s.breaker.availableAt());
      if (paused.length > 0) return { pausedUntil: Math.min(...paused) };
      throw heldError(slots, now());
    }
    const untried = takers.filter((s) => !avoid.has(s.client.server));
    const pool = (untried.length > 0 ? untried : takers).filter((s) => s.inFlight < perServer);
    if (pool.length === 0) return null;
    const least = Math.min(...pool.map((s) => s.inFlight));
    const tied = pool.filter((s) => s.inFlight === least);
    const distance = (s: Slot) => (s.index - cursor + slots.length) % slots.length;
    const chosen = tied.reduce((best, s) => (distance(s) < distance(best) ? s : best));
    cursor = (chosen.index + 1) % slots.length;
    return chosen;
  }

  /**
   * A reserved slot: counted in flight at once (synchronously), so calls started together never share one. `probe`:
   * the call is its server's half-open probe (its failure counts at once, whatever the caller defers).
   */
  async function acquire(avoid: ReadonlySet<string>, signal: AbortSignal): Promise<{ slot: Slot; probe: boolean }> {
    for (;;) {
      signal.throwIfAborted();
      const slot = pick(avoid);
      if (slot && "pausedUntil" in slot) {
        await sleep(Math.max(1, slot.pausedUntil - now()), signal);
        continue;
      }
      if (slot) {
        slot.inFlight++;
        const probe = slot.breaker.state() === "half_open";
        slot.breaker.started();
        return { slot, probe };
      }
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          waiting.delete(wake);
          signal.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          waiting.delete(wake);
          reject(signal.reason);
        };
        waiting.add(wake);
        signal.addEventListener("abort", onAbort, { once: true });
      });
    }
  }

  async function complete(request: CompletionRequest, signal: AbortSignal, call: CallOptions = {}): Promise<Completion> {
    const { slot, probe } = await acquire(call.avoid ?? new Set(), signal);
    try {
      const completion = await slot.client.complete(request, signal);
      slot.breaker.succeeded();
      return { ...completion, server: slot.client.server };
    } catch (e) {
      if (signal.aborted || !(e instanceof ProviderError)) throw e;
      if (e.kind === "http" && e.status === 429) pause(slot, e.retryAfterMs ?? DEFAULT_PAUSE_MS);
      else if (isServerFault(e)) {
        // On a one-server rung the retry comes back here: the fault counts only if the request settles without this
        // server answering it (see `settled`). In a fleet the retry fails over, so the fault counts at once.
        if (!call.deferFaults || probe || slots.length > 1) slot.breaker.failed();
        if (e.retryAfterMs !== undefined) pause(slot, e.retryAfterMs);
      }
      throw new ServerCallError(slot.client.server, e);
    } finally {
      slot.inFlight--;
      for (const wake of [...waiting]) wake();
    }
  }

  /**
   * A request placed with `deferFaults` on a one-server rung ended: the server counts one fault if it failed the
   * request and did not answer it in the end. A call that succeeded after retries is no fault.
   */
  function settled(outcome: RequestOutcome): void {
    if (slots.length > 1) return;
    for (const slot of slots) {
      if (outcome.failedOn.has(slot.client.server) && slot.client.server !== outcome.answeredBy) slot.breaker.failed();
    }
  }

  return {
    kind,
    model,
    complete,
    settled,
    probe: (signal) => Promise.all(slots.map((s) => s.client.probe(signal))),
  };
}

function heldError(slots: Slot[], t: number): ServersHeldError {
  const at = Math.min(...slots.map((s) => s.breaker.availableAt()));
  const each = slots.map((s) => `${s.client.server} (${s.breaker.state() === "closed" ? "paused by Retry-After" : "breaker open"}, back in ${Math.ceil((s.breaker.availableAt() - t) / 1000)} s)`);
  return new ServersHeldError(`every server is held after repeated failures: ${each.join(", ")}`, at);
}

/** Whether a failure is the server's (set it aside, try another) rather than the request's (a 4xx, a bad answer). */
export function isServerFault(e: ProviderError): boolean {
  if (e.kind === "connection" || e.kind === "timeout") return true;
  if (e.kind === "http") return e.status === 429 || (e.status !== undefined && e.status >= 500);
  return false;
}

/** Milliseconds to wait from `Retry-After` (seconds or an HTTP date) or OpenAI's `retry-after-ms`; undefined when absent or unreadable. */
export function parseRetryAfter(headers: Headers | undefined, now: number): number | undefined {
  const ms = headers?.get("retry-after-ms")?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.round(Number(ms));
  const value = headers?.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Statuses whose Retry-After we honour (the contract: rate limited, or temporarily unavailable). */
export function retryAfterApplies(status: number): boolean {
  return status === 429 || status === 503;
}

/** Replace every occurrence of the secret; error bodies can echo what was sent. */
export function redactSecret(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join("[redacted]") : text;
}

/** Whether an error thrown by fetch (or by reading its body) is the network failing: refused, reset, DNS, socket closed. */
export function isNetworkError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code ?? (e.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^(E[A-Z]+|UND_ERR|Connection|FailedToOpenSocket|Unable)/.test(code)) return true;
  return e instanceof TypeError && /fetch failed|unable to connect|socket|network|connection/i.test(e.message);
}

/** A network error's message without Bun's "For more information, pass `verbose: true`…" tail. */
export function networkMessage(e: Error): string {
  return e.message.replace(/\.? For more information[\s\S]*$/, "");
}

/** The ProviderError's `cause`, left off when its text holds the secret (a server can echo the key). */
export function safeCause(e: unknown, secret: string | undefined): { cause?: unknown } {
  if (secret && e instanceof Error && `${e.message} ${String(e.cause ?? "")}`.includes(secret)) return {};
  return { cause: e };
}
