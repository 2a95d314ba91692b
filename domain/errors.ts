/** Errors of the outside world and of bad input. Expected outcomes (thin answers, skipped files) are values, not these. */

/** A config or usage problem the user must fix: exit code 2. `where` names the file, line or key. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
  }
}

/** A command-line usage problem: exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The KB holds rows or lacks tables that scrum never writes that way (it was changed outside scrum): exit code 2. */
export class DamagedKbError extends Error {
  override readonly name = "DamagedKbError";
}

/** `context_overflow`: the server refused the request as longer than its context window (not worth a retry on the same rung). */
export type ProviderErrorKind = "timeout" | "http" | "connection" | "invalid" | "context_overflow";

/**
 * A model call that failed in transport. `retryAfterMs` comes from a 429/503 Retry-After header; `window` and
 * `requestedTokens` are what a context-overflow refusal said (the server's window, the tokens the request needed).
 */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly options: { status?: number; retryAfterMs?: number; window?: number; requestedTokens?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }
  get status(): number | undefined {
    return this.options.status;
  }
  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }
  get window(): number | undefined {
    return this.options.window;
  }
}
