/** Builds a rung's Provider from its config: one server client per host/base_url, behind the fleet. */
import type { RungConfig } from "../config/config";
import type { Provider } from "./provider";
import { type FetchLike, makeFleet } from "./fleet";
import { ollamaServer } from "./ollama";
import { openaiServer } from "./openai";
import type { TraitBook } from "./traits";

export interface ProviderOptions {
  /** The API key's value (the caller reads it from the env var the rung names); absent = send none. */
  apiKey?: string;
  /** Default: the global fetch. */
  fetch?: FetchLike;
  /** Clock for latencies and cool-downs. Default: Date.now. */
  now?: () => number;
  /** How long a failing server of a fleet is set aside. Default: DEFAULT_COOL_DOWN_MS (30 s). */
  coolDownMs?: number;
  /** What servers were found to accept, shared across the rungs of a process (seeded from the KB by the caller). */
  traits?: TraitBook;
  /** The wait between polls of a model still loading. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The Provider of an `ollama` or `openai` rung. Static rungs are built by the static provider module, not here. */
export function makeProvider(rung: RungConfig, options: ProviderOptions = {}): Provider {
  const server = {
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.traits ? { traits: options.traits } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };
  // A rung's `concurrency` is per server: a fleet of N servers takes N × concurrency calls at once.
  const fleet = {
    perServer: rung.concurrency,
    ...(options.now ? { now: options.now } : {}),
    ...(options.coolDownMs !== undefined ? { coolDownMs: options.coolDownMs } : {}),
  };
  switch (rung.provider) {
    case "ollama":
      return makeFleet("ollama", rung.model, rung.servers.map((host) => ollamaServer(host, rung, server)), fleet);
    case "openai":
      return makeFleet("openai", rung.model, rung.servers.map((url) => openaiServer(url, rung, server)), fleet);
    case "static":
      throw new Error(`rung "${rung.name}" is a static rung: it needs no server; build it with the static provider module, not makeProvider`);
  }
}
