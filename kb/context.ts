/** What every repository of the KB shares: the connection, the clock, and the KB's location as messages name it. */
import type { Engine } from "./engine";

export interface KbContext {
  readonly db: Engine;
  /** Now, as the KB stamps rows (injected so tests control timestamps). */
  now(): Date;
  /** The KB's location as messages name it (a URL's password hidden). */
  readonly file: string;
}

export function stamp(ctx: KbContext): string {
  return ctx.now().toISOString();
}
