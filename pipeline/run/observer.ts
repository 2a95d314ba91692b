/**
 * `[observer] url`: every event record POSTed as JSON to an HTTP endpoint, fail-open. Records wait in a bounded queue
 * and go out one at a time in order; a full queue drops the new record, a failed POST drops its record, and when the
 * run ends the queue gets at most one timeout to drain. Nothing here throws into the sweep or makes it wait.
 */
import type { Kb } from "../../kb/kb";
import type { Metrics } from "../../kb/aggregates";
import type { ObserverConfig } from "../config/config";
import type { EventRecord, EventSink } from "./events";

/** What became of the records sent to the observer; `dropped` = queue_full + failed + unsent. */
export interface ObserverStats {
  url: string;
  delivered: number;
  dropped: number;
  /** Dropped because the queue held `max_queue` records already. */
  queue_full: number;
  /** Dropped because the POST failed: no connection, a timeout, or a status other than 2xx. */
  failed: number;
  /** Still queued (or in flight) when the drain time ran out at the end of the run. */
  unsent: number;
  /** The first failure, for the run summary. */
  first_error: string | null;
}

export interface ObserverDeps {
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

/** An observer client: `write` never blocks or throws; `close` resolves (within the timeout) with what happened. */
export function startObserver(config: ObserverConfig, deps: ObserverDeps = {}): EventSink & { close(): Promise<ObserverStats>; stats(): ObserverStats } {
  const post = deps.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  const queue: string[] = [];
  const stats: ObserverStats = { url: config.url, delivered: 0, dropped: 0, queue_full: 0, failed: 0, unsent: 0, first_error: null };
  const stop = new AbortController();
  let closed = false;
  let sending: Promise<void> | null = null;

  const fail = (why: string) => {
    stats.failed++;
    stats.dropped++;
    stats.first_error ??= why;
  };

  async function drain(): Promise<void> {
    while (queue.length > 0 && !stop.signal.aborted) {
      const body = queue[0]!;
      try {
        const res = await post(config.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: AbortSignal.any([stop.signal, AbortSignal.timeout(config.timeoutMs)]),
        });
        // The body is never read into the run; it is released so the connection can be reused.
        await res.body?.cancel().catch(() => undefined);
        if (res.ok) stats.delivered++;
        else fail(`HTTP ${res.status} from ${config.url}`);
      } catch (e) {
        // Stopped at the end of the run: the record counts as unsent, not as a failure.
        if (stop.signal.aborted) break;
        fail(`${config.url}: ${(e as Error).message}`);
      }
      queue.shift();
    }
    sending = null;
  }

  return {
    write(record: EventRecord) {
      if (closed) return;
      if (queue.length >= config.maxQueue) {
        stats.queue_full++;
        stats.dropped++;
        return;
      }
      queue.push(JSON.stringify(record));
      sending ??= drain();
    },
    stats: () => ({ ...stats }),
    async close() {
      closed = true;
      if (sending) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, config.timeoutMs)));
        await Promise.race([sending, deadline]);
        clearTimeout(timer);
      }
      stop.abort();
      await sending;
      stats.unsent += queue.length;
      stats.dropped += queue.length;
      queue.length = 0;
      return { ...stats };
    },
  };
}

/** The observer's tally added to a finished run: metrics `observer_delivered` / `observer_dropped` in the KB and the summary. */
export function recordObserverStats<S extends { iteration_id: number; metrics: Metrics }>(kb: Kb, summary: S, stats: ObserverStats): S & { observer: ObserverStats } {
  const metrics = { observer_delivered: stats.delivered, observer_dropped: stats.dropped };
  // Appended after the iteration finished: the drops of its last events are known only once the queue is drained.
  kb.metrics.record(summary.iteration_id, metrics);
  return { ...summary, metrics: { ...summary.metrics, ...metrics }, observer: stats };
}

/** One line for the run summary. */
export function describeObserverStats(s: ObserverStats): string {
  const parts = [`${s.failed} failed`, `${s.queue_full} over the queue`, `${s.unsent} unsent at exit`];
  return `observer ${s.url}: ${s.delivered} events delivered, ${s.dropped} dropped (${parts.join(", ")})${s.first_error ? `; first error: ${s.first_error}` : ""}`;
}
