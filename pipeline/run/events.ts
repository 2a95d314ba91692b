/**
 * The event stream of a run (`scrum run --events FILE.jsonl`, `[observer] url`): every RunEvent becomes one JSON
 * record. Rows the KB stores travel as the KB stores them (read back after they are written), never re-listed field
 * by field here, so a column added to the KB reaches the stream without a change to this file (seed 003: an observer
 * that copied known keys lost the rich ones).
 */
import type { AttemptRecord, FileReview, Iteration, StoredAttempt, StoredFinding } from "../../domain/records";
import { closeSync, openSync, writeSync } from "node:fs";
import type { Metrics } from "../../kb/aggregates";
import type { ObserverConfig } from "../config/config";
import { UsageError } from "../../domain/errors";
import { attemptRecord } from "../../domain/file-record";
import type { RunEvent } from "./iteration";
import { startObserver, type ObserverDeps, type ObserverStats } from "./observer";

/** Fields every record carries: its order in the run, when it happened, and the iteration (null before one exists). */
interface Envelope {
  seq: number;
  at: string;
  iteration_id: number | null;
}

/** One line of the stream. */
export type EventRecord = Envelope &
  (
    | { type: "iteration_started"; files: number; rungs: string[]; iteration: Iteration }
    | { type: "warning"; message: string }
    | { type: "attempt"; path: string; attempt: AttemptRecord & { iteration_id: number | null } }
    | { type: "escalation"; path: string; shard_index: number; from_rung: string; to_rung: string; reason: string }
    | { type: "cooldown"; rung: string; reason: string }
    | { type: "budget"; reason: string }
    | { type: "file_reviewed"; path: string; done: number; total: number; review: FileReview; findings: StoredFinding[]; attempts: StoredAttempt[] }
    | { type: "iteration_finished"; status: string; iteration: Iteration; metrics: Metrics }
  );

/** The names of the record types, in the order a run emits them. */
export const EVENT_TYPES = ["iteration_started", "warning", "attempt", "escalation", "cooldown", "budget", "file_reviewed", "iteration_finished"] as const;

/** Where records go: the JSONL file, the observer. */
export interface EventSink {
  write(record: EventRecord): void;
}

/**
 * Turns RunEvents into records: numbers them, stamps them, and derives escalations from the attempts (a shard's next
 * review attempt on another rung after one that was not accepted is a climb; a consensus vote after an accepted
 * answer is not).
 */
export function eventRecorder(options: { now?: () => Date } = {}): (event: RunEvent) => EventRecord[] {
  const now = options.now ?? (() => new Date());
  let seq = 0;
  let iterationId: number | null = null;
  const lastAttempt = new Map<string, AttemptRecord>();
  const envelope = (): Envelope => ({ seq: ++seq, at: now().toISOString(), iteration_id: iterationId });
  return (event) => {
    switch (event.type) {
      case "start":
        iterationId = event.iterationId;
        return [{ ...envelope(), type: "iteration_started", files: event.files, rungs: event.rungs, iteration: event.iteration }];
      case "warning":
        return [{ ...envelope(), type: "warning", message: event.message }];
      case "attempt": {
        const row = attemptRecord(event.path, event.attempt);
        const out: EventRecord[] = [];
        if (row.purpose === "review") {
          // Known only once the next rung's attempt arrives (a retry on the same rung is no climb); it is listed before it.
          const key = `${row.path}\u0000${row.shard_index}`;
          const before = lastAttempt.get(key);
          if (before && before.rung !== row.rung && before.outcome !== "accepted" && before.outcome !== "cached") {
            out.push({ ...envelope(), type: "escalation", path: row.path, shard_index: row.shard_index, from_rung: before.rung, to_rung: row.rung, reason: `${before.outcome}${before.reason ? `: ${before.reason}` : ""}` });
          }
          lastAttempt.set(key, row);
        }
        out.push({ ...envelope(), type: "attempt", path: event.path, attempt: { ...row, iteration_id: iterationId } });
        return out;
      }
      case "cooldown":
        return [{ ...envelope(), type: "cooldown", rung: event.rung, reason: event.reason }];
      case "budget":
        return [{ ...envelope(), type: "budget", reason: event.reason }];
      case "file":
        for (const key of lastAttempt.keys()) if (key.startsWith(`${event.path}\u0000`)) lastAttempt.delete(key);
        {
          const stored = event.stored();
          return [{ ...envelope(), type: "file_reviewed", path: event.path, done: event.done, total: event.total, review: stored.review, findings: stored.findings, attempts: stored.attempts }];
        }
      case "finish":
        return [{ ...envelope(), type: "iteration_finished", status: event.iteration.status, iteration: event.iteration, metrics: event.metrics }];
    }
  };
}

/** A JSONL file the records are appended to, one line each, written through to the file as each happens. */
export function eventsFile(path: string): EventSink & { close(): void } {
  let fd: number;
  try {
    fd = openSync(path, "a");
  } catch (e) {
    throw new UsageError(`--events ${path}: cannot open the file for writing (${(e as Error).message})`);
  }
  return {
    // A synchronous write per line: a crash or Ctrl-C loses no event already emitted.
    write: (record) => void writeSync(fd, `${JSON.stringify(record)}\n`),
    close: () => closeSync(fd),
  };
}

/** The run's event stream: records to the `--events` file and the observer, each when configured. */
export interface EventStream {
  emit(event: RunEvent): void;
  /** Closes the file and drains the observer (within its timeout); the observer's tally, or null without one. */
  close(): Promise<ObserverStats | null>;
}

/** Open the stream a run writes to; with neither a file nor an observer it records nothing. */
export function openEventStream(options: { file?: string; observer?: ObserverConfig; now?: () => Date; fetch?: ObserverDeps["fetch"] }): EventStream {
  const file = options.file !== undefined ? eventsFile(options.file) : undefined;
  const observer = options.observer ? startObserver(options.observer, options.fetch ? { fetch: options.fetch } : {}) : undefined;
  if (!file && !observer) return { emit: () => {}, close: async () => null };
  const record = eventRecorder(options.now ? { now: options.now } : {});
  let closed: Promise<ObserverStats | null> | undefined;
  return {
    emit(event) {
      for (const r of record(event)) {
        file?.write(r);
        observer?.write(r);
      }
    },
    close() {
      closed ??= (async () => {
        file?.close();
        return observer ? await observer.close() : null;
      })();
      return closed;
    },
  };
}
