/**
 * Context windows planned before anything is sent: the window each rung really has (the smaller of context_tokens and
 * what its servers named), and whether any rung can hold the system prompt, the answer reserve and one function.
 */
import { readFileSync } from "node:fs";
import type { Config, RungConfig } from "../config/config";
import { buildSystemPrompt } from "../review/prompt";
import { estimateRequest, windowShortfall } from "../review/tokens";
import { minimalRequest } from "./round-trip";
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

/** The system message every shard carries (the forensic prompt, and the proposal when configured), read from the config's files. */
export function systemPromptOf(config: Config): string {
  return buildSystemPrompt(readFileSync(config.prompts.system, "utf8"), config.prompts.proposal ? readFileSync(config.prompts.proposal, "utf8") : undefined);
}

/**
 * Why no model rung of the ladder can hold a minimal review (the system prompt, the answer reserve and one small
 * function), naming every rung's numbers; null when one can, or when the ladder has no model rung (offline).
 */
export async function windowPlanError(ladder: RungConfig[], systemPrompt: string): Promise<string | null> {
  const models = ladder.filter((r) => r.provider !== "static" && r.contextTokens !== undefined);
  if (models.length === 0) return null;
  const short: string[] = [];
  for (const rung of models) {
    const needs = await estimateRequest(minimalRequest(rung, systemPrompt), rung);
    if (!windowShortfall(needs, rung)) return null;
    short.push(`rung ${rung.name}: ~${needs.prompt} tokens for the system prompt and one small function + ${needs.output} reserved for the answer = ~${needs.total} > window ${rung.contextTokens}`);
  }
  return `no model rung's context window can hold a minimal review, so nothing would be sent:\n  ${short.join("\n  ")}\nraise context_tokens (and the server's window, e.g. llama.cpp --n_ctx), lower max_output_tokens, or shorten the system prompt ([prompts] system)`;
}
