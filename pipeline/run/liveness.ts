/**
 * Whether a `running` iteration still has a process behind it. An iteration records its host, pid and a heartbeat;
 * one whose process is gone (same host, pid not alive) or whose heartbeat is older than STALE_AFTER_MS is stale: it
 * can be taken over (`run --resume`) or marked aborted (`scrum abort`). Pure, with the world injected.
 */
import type { Iteration } from "../../domain/records";
import type { Owner } from "../../kb/kb";

/** How often a running iteration says it is alive. */
export const HEARTBEAT_MS = 5_000;
/** A heartbeat older than this means the owner is gone (a crash on another host, a suspended laptop). */
export const STALE_AFTER_MS = 60_000;

export type Liveness = "running" | "stale" | "done" | "aborted";

export interface LivenessWorld {
  now: number;
  here: Owner;
  /** Whether a pid on this host is a live process. */
  isAlive: (pid: number) => boolean;
}

/** The status `history` shows: running, stale, done or aborted. */
export function livenessOf(it: Pick<Iteration, "status" | "host" | "pid" | "heartbeat_at" | "started_at">, world: LivenessWorld): Liveness {
  if (it.status !== "running") return it.status;
  if (it.host === world.here.host && it.pid !== null && !world.isAlive(it.pid)) return "stale";
  const beat = Date.parse(it.heartbeat_at ?? it.started_at);
  return Number.isFinite(beat) && world.now - beat > STALE_AFTER_MS ? "stale" : "running";
}

/** Whether a process is alive: signal 0 checks without touching it (EPERM: alive, someone else's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Who holds a running iteration, for the message that refuses a second process. */
export function holderOf(it: Pick<Iteration, "id" | "host" | "pid" | "heartbeat_at">, now: number): string {
  const beat = it.heartbeat_at ? `${Math.round((now - Date.parse(it.heartbeat_at)) / 1000)} s ago` : "never";
  return `iteration ${it.id} is running in pid ${it.pid ?? "?"} on host ${it.host ?? "?"} (last heartbeat ${beat})`;
}
