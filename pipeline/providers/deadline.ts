/**
 * A call's deadline: the caller's signal joined with a timer over the whole call. Client libraries time only the
 * wait for the headers (the `openai` client clears its timer once fetch resolves), so a server that sends headers
 * and then a body that stalls or never ends would hold the call for ever; this signal also cuts the body's read.
 */
export interface Deadline {
  /** Aborts when the caller aborts or the time is up. */
  signal: AbortSignal;
  timeoutMs: number;
  /** Whether the time ran out (as opposed to the caller aborting). */
  timedOut(): boolean;
  /** Stop the timer once the call is over. */
  close(): void;
}

export function callDeadline(signal: AbortSignal, timeoutMs: number): Deadline {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")), timeoutMs);
  return {
    signal: AbortSignal.any([signal, timeout.signal]),
    timeoutMs,
    timedOut: () => timeout.signal.aborted,
    close: () => clearTimeout(timer),
  };
}
