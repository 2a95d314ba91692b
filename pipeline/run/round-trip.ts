/**
 * A real round trip to one server of a rung, for `scrum config check`: the system prompt and a minimal shard in the
 * rung's request shape, answered in a few tokens. It finds out what the server accepts (the shape, whether the
 * template keeps the system message), how long a call takes, and the window (the server's listing, else its overflow
 * refusal of a request just past the configured window), and whether that window holds a minimal review at all.
 */
import type { RungConfig } from "../config/config";
import { ProviderError } from "../../domain/errors";
import type { FetchLike } from "../providers/fleet";
import { ollamaServer } from "../providers/ollama";
import { openaiServer } from "../providers/openai";
import type { CompletionRequest, ProbeResult } from "../providers/provider";
import type { TraitBook } from "../providers/traits";
import { schemaFor } from "../call/request";
import { buildShardPrompt } from "../review/prompt";
import { estimateRequest, type TokenEstimate } from "../review/tokens";
import type { Shard } from "../shard/types";

export interface RoundTrip {
  server: string;
  /** The minimal review was answered over HTTP 200. */
  answered: boolean;
  latencyMs: number | null;
  /** The request shape the server accepted. */
  shape: string | null;
  /** false: the template drops the system message; null: the server reports no token counts. */
  systemRole: boolean | null;
  /** Prompt tokens the server read, and the conservative estimate of what was sent. */
  promptTokens: number | null;
  sentTokens: number;
  /** The window learnt, and where from. */
  window: number | null;
  windowFrom: "listing" | "overflow" | "kb" | null;
  /** What the minimal review needs: system prompt + one small function + the answer reserve. */
  needs: TokenEstimate;
  detail: string;
}

/** The answer is cut this short: the check needs the shape accepted and the tokens read, not a review. */
const CHECK_OUTPUT_TOKENS = 16;
/** An oversized request is refused at once by servers that check; one that starts evaluating it is not waited for. */
const OVERFLOW_PROBE_MS = 15_000;

/** The smallest shard worth a review: one function of a few lines. */
export const MINIMAL_SHARD: Shard = {
  index: 0,
  lineStart: 1,
  lineEnd: 3,
  text: "def total(rows):\n    return sum(r.amount for r in rows)\n",
  chars: 56,
  symbols: ["total"],
  splitInside: false,
  preamble: "",
};

/** The request a minimal review sends to a rung: the real system prompt, one small function, the rung's schema. */
export function minimalRequest(rung: RungConfig, systemPrompt: string): CompletionRequest {
  const schema = schemaFor(rung);
  return {
    system: systemPrompt,
    prompt: buildShardPrompt({ path: "check.py", language: "python", shard: MINIMAL_SHARD, shardCount: 1, notes: [] }),
    ...(schema ? { schema } : {}),
  };
}

export interface RoundTripOptions {
  traits: TraitBook;
  apiKey?: string;
  fetch?: FetchLike;
}

/** One round trip to `probe.server`; never throws for a failing server (that is `answered: false` with the reason). */
export async function roundTrip(rung: RungConfig, probe: ProbeResult, systemPrompt: string, options: RoundTripOptions): Promise<RoundTrip> {
  const request = minimalRequest(rung, systemPrompt);
  const needs = await estimateRequest(request, rung);
  const server = probe.server;
  const client = (r: RungConfig) => {
    const opts = { traits: options.traits, ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) };
    return rung.provider === "ollama" ? ollamaServer(server, r, opts) : openaiServer(server, r, opts);
  };
  const base: RoundTrip = { server, answered: false, latencyMs: null, shape: null, systemRole: null, promptTokens: null, sentTokens: needs.prompt, window: null, windowFrom: null, needs, detail: "" };
  let result = base;
  try {
    const c = await client({ ...rung, maxOutputTokens: CHECK_OUTPUT_TOKENS }).complete(request, AbortSignal.timeout(rung.timeoutMs));
    const known = options.traits.get(server, rung.model);
    result = {
      ...base,
      answered: true,
      latencyMs: Math.round(c.latencyMs),
      shape: c.shape ?? null,
      systemRole: c.promptTokens === undefined ? null : (rung.systemRole ?? known.systemRole ?? null),
      promptTokens: c.promptTokens ?? null,
      detail: `answered in ${Math.round(c.latencyMs)} ms`,
    };
  } catch (e) {
    if (!(e instanceof ProviderError)) throw e;
    result = { ...base, detail: e.message };
  }
  return { ...result, ...(await learnWindow(rung, probe, options, client)) };
}

/** The window: the server's listing, else what the KB remembers, else the server's refusal of a request just past the configured window. */
async function learnWindow(
  rung: RungConfig,
  probe: ProbeResult,
  options: RoundTripOptions,
  client: (r: RungConfig) => { complete: (r: CompletionRequest, s: AbortSignal) => Promise<unknown> },
): Promise<Pick<RoundTrip, "window" | "windowFrom">> {
  if (probe.contextTokens !== undefined) {
    options.traits.learn(probe.server, rung.model, "window", probe.contextTokens, "the server's model listing names it");
    return { window: probe.contextTokens, windowFrom: "listing" };
  }
  // A learnt window is re-checked with an overflow probe only when none was ever learnt (the probe costs a long prompt).
  const known = options.traits.get(probe.server, rung.model).window;
  if (known !== undefined) return { window: known, windowFrom: "kb" };
  if (rung.contextTokens === undefined) return { window: null, windowFrom: null };
  // " a" is one token in every current tokenizer: this is past the configured window whatever the model.
  const oversized: CompletionRequest = { system: "", prompt: " a".repeat(rung.contextTokens + 64) };
  try {
    await client({ ...rung, maxOutputTokens: 1, timeoutMs: OVERFLOW_PROBE_MS, shape: "none" }).complete(oversized, AbortSignal.timeout(OVERFLOW_PROBE_MS));
  } catch (e) {
    if (!(e instanceof ProviderError)) throw e;
    if (e.kind === "context_overflow" && e.window !== undefined) return { window: e.window, windowFrom: "overflow" };
  }
  return { window: null, windowFrom: null };
}

/** Why a rung's window cannot hold a minimal review (system prompt, one small function, the answer reserve), or null. */
export function minimalShortfall(rt: Pick<RoundTrip, "needs" | "window">, rung: RungConfig): string | null {
  const window = Math.min(rung.contextTokens ?? Number.POSITIVE_INFINITY, rt.window ?? Number.POSITIVE_INFINITY);
  if (!Number.isFinite(window) || rt.needs.total <= window) return null;
  const { prompt, output, total } = rt.needs;
  return `a minimal review needs ~${total} tokens (~${prompt} for the system prompt and one small function + ${output} reserved for the answer) but the window is ${window}`;
}
