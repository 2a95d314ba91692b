/** A rung ready to take calls, built once per iteration: its queue, its rate limit and its health. */
import PQueue from "p-queue";
import type { RungConfig } from "../config/config";
import { abortableSleep } from "../providers/abortable-sleep";
import type { Provider } from "../providers/provider";
import { cooldownThreshold, RungHealth } from "./cooldown";
import { SlidingWindow } from "./rate-limit";

/**
 * A rung ready to take calls: its config, its provider, its own queue (one slot per call in flight: `concurrency`
 * per server), its sliding-window rate limit, and its health over the iteration (cooldown).
 */
export interface Rung {
  config: RungConfig;
  provider: Provider;
  queue: PQueue;
  limit: SlidingWindow;
  health: RungHealth;
}

/** The clock and sleep a rung's rate limit runs on; injected so tests never wait a minute. */
export interface RungDeps {
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Calls a rung takes at once: `concurrency` on each of its servers (the static rung runs in-process: one "server"). */
export function rungSlots(config: RungConfig): number {
  return config.concurrency * Math.max(1, config.servers.length);
}

/** Make a rung: its queue holds one slot per call in flight, and its window enforces requests and tokens per minute. */
export function makeRung(config: RungConfig, provider: Provider, deps: RungDeps = {}): Rung {
  const slots = rungSlots(config);
  const limits = {
    ...(config.requestsPerMinute !== undefined ? { requestsPerMinute: config.requestsPerMinute } : {}),
    ...(config.tokensPerMinute !== undefined ? { tokensPerMinute: config.tokensPerMinute } : {}),
  };
  return {
    config,
    provider,
    queue: new PQueue({ concurrency: slots }),
    limit: new SlidingWindow(limits, { now: deps.now ?? Date.now, sleep: deps.sleep ?? abortableSleep }),
    health: new RungHealth(cooldownThreshold(slots)),
  };
}

