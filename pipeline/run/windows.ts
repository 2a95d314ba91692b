/**
 * Context windows planned before anything is sent: the window each rung really has (the smaller of context_tokens and
 * what its servers named), and whether any rung can hold the system prompt, the answer reserve and one function.
 */
import type { Config, RungConfig } from "../config/config";
import type { TraitBook } from "../providers/traits";

/** The config with each model rung's window lowered to the smallest one its servers named (a listing, props, an overflow error). */
export function withKnownWindows(config: Config, traits: TraitBook): Config {
  const ladder = config.ladder.map((rung) => narrowed(rung, traits));
  return ladder.every((r, i) => r === config.ladder[i]) ? config : { ...config, ladder };
}

function narrowed(rung: RungConfig, traits: TraitBook): RungConfig {
  if (rung.contextTokens === undefined) return rung;
  const named = rung.servers.map((s) => traits.get(s, rung.model).window).filter((w): w is number => w !== undefined);
  if (named.length === 0) return rung;
  const window = Math.min(...named);
  return window < rung.contextTokens ? { ...rung, contextTokens: window } : rung;
}
