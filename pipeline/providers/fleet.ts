/**
 * The servers of a rung. Each configured host/base_url becomes one ServerClient; the fleet spreads calls
 * across them (least in-flight, round-robin on ties), sets a failing server aside for a cool-down and moves
 * the same call on to another server. One-server rungs go through the same code.
 */
import { ProviderError } from "../errors";
import type { Completion, CompletionRequest, ProbeResult, Provider } from "./provider";

/** The fetch the clients use; `typeof fetch` fits. Injected so tests can count or fake requests. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What a server client is built from besides the rung. The key is the value, never an env var name. */
export interface ServerOptions {
  apiKey?: string;
  fetch?: FetchLike;
  now?: () => number;
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
  /** How long a failing server is set aside when it gave no Retry-After. Default 30 000 ms. */
  coolDownMs?: number;
  /** The clock for cool-downs. Default Date.now. */
  now?: () => number;
}

export const DEFAULT_COOL_DOWN_MS = 30_000;

/** Probes answer fast or not at all; a rung's timeout is sized for generation. */
export const PROBE_TIMEOUT_MS = 10_000;

interface Slot {
  client: ServerClient;
  index: number;
  inFlight: number;
  /** Set aside until this time (fleet clock); 0 = available. */
  coolUntil: number;
}

/** A Provider over one or more servers of the same model. */
export function makeFleet(kind: "ollama" | "openai", model: string, servers: ServerClient[], options: FleetOptions = {}): Provider {
  if (servers.length === 0) throw new Error(`a ${kind} rung for model ${model} needs at least one server`);
  const coolDownMs = options.coolDownMs ?? DEFAULT_COOL_DOWN_MS;
  if (!Number.isFinite(coolDownMs) || coolDownMs < 0) {
    throw new TypeError(`Expected \`coolDownMs\` to be a number from 0 and up, got ${coolDownMs}`);
  }
  const now = options.now ?? Date.now;
  const slots: Slot[] = servers.map((client, index) => ({ client, index, inFlight: 0, coolUntil: 0 }));
  let cursor = 0;

  /** The next server for a call that has already tried `tried`; undefined when this call should give up. */
  function pick(tried: Set<Slot>): Slot | undefined {
    const untried = slots.filter((s) => !tried.has(s));
    const t = now();
    const ready = untried.filter((s) => s.coolUntil <= t);
    if (ready.length === 0) {
      // Every server is set aside: the first attempt still goes out (to the one back soonest), so a one-server
      // rung keeps its retries; later attempts of the same call respect the cool-downs.
      if (tried.size > 0) return undefined;
      return untried.reduce<Slot | undefined>((best, s) => (!best || s.coolUntil < best.coolUntil ? s : best), undefined);
    }
    const least = Math.min(...ready.map((s) => s.inFlight));
    const tied = ready.filter((s) => s.inFlight === least);
    const distance = (s: Slot) => (s.index - cursor + slots.length) % slots.length;
    const chosen = tied.reduce((best, s) => (distance(s) < distance(best) ? s : best));
    cursor = (chosen.index + 1) % slots.length;
    return chosen;
  }

  async function complete(request: CompletionRequest, signal: AbortSignal): Promise<Completion> {
    const tried = new Set<Slot>();
    const failures: { server: string; error: ProviderError }[] = [];
    for (let slot = pick(tried); slot; slot = pick(tried)) {
      tried.add(slot);
      slot.inFlight++;
      try {
        const completion = await slot.client.complete(request, signal);
        slot.coolUntil = 0;
        return { ...completion, server: slot.client.server };
      } catch (e) {
        if (signal.aborted || !(e instanceof ProviderError) || !isServerFault(e)) throw e;
        slot.coolUntil = now() + (e.retryAfterMs ?? coolDownMs);
        failures.push({ server: slot.client.server, error: e });
      } finally {
        slot.inFlight--;
      }
    }
    throw fleetFailure(failures, slots.filter((s) => !tried.has(s)).map((s) => s.client.server));
  }

  return {
    kind,
    model,
    complete,
    probe: (signal) => Promise.all(slots.map((s) => s.client.probe(signal))),
  };
}

/** Whether a failure is the server's (set it aside, try another) rather than the request's (a 4xx, a bad answer). */
export function isServerFault(e: ProviderError): boolean {
  if (e.kind === "connection" || e.kind === "timeout") return true;
  if (e.kind === "http") return e.status === 429 || (e.status !== undefined && e.status >= 500);
  return false;
}

function fleetFailure(failures: { server: string; error: ProviderError }[], setAside: string[]): ProviderError {
  const last = failures[failures.length - 1];
  if (!last) throw new Error("fleet gave up on a call without trying a server");
  // One server and nothing set aside: its own error already names it.
  if (failures.length === 1 && setAside.length === 0) return last.error;
  const tried = failures.map((f) => `${f.server} (${f.error.kind}${f.error.status ? ` ${f.error.status}` : ""})`).join(", ");
  const aside = setAside.length > 0 ? `; set aside after earlier failures: ${setAside.join(", ")}` : "";
  return new ProviderError(last.error.kind, `every server failed for this call: tried ${tried}${aside}. Last error: ${last.error.message}`, {
    ...(last.error.status !== undefined ? { status: last.error.status } : {}),
    ...(last.error.retryAfterMs !== undefined ? { retryAfterMs: last.error.retryAfterMs } : {}),
    cause: last.error,
  });
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
