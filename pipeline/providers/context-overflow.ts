/**
 * Reading a server's "the request is longer than my context window" refusal. OpenAI-compatible servers answer 400
 * with their own wording; each is matched here so both providers classify it the same way.
 */

export interface Overflow {
  /** The window the server says it has, when the message names it. */
  window?: number;
  /** The tokens the server says the request needed, when the message names them. */
  requestedTokens?: number;
}

/**
 * Messages of servers that refuse an over-long request: OpenAI and vLLM ("This model's maximum context length is
 * 4096 tokens. However, you requested 5000 tokens"), vLLM's prompt check ("longer than the maximum model length"),
 * llama.cpp ("the request exceeds the available context size"), LiteLLM (ContextWindowExceededError), Anthropic-style
 * proxies ("prompt is too long"), Ollama's embed path ("input length exceeds the context length").
 */
const OVERFLOW_PATTERNS = [
  /maximum context length/i,
  /context_length_exceeded/i,
  /exceeds? the (available )?context (size|length|window)/i,
  /context ?window ?exceeded/i,
  /longer than the maximum model length/i,
  /prompt is too long/i,
  /input length exceeds the context length/i,
  /exceed_context_size_error/i,
];

const WINDOW_PATTERNS = [/maximum context length is (\d+)/i, /maximum model length (?:of|is) (\d+)/i, /"?n_ctx"?\s*[:=]\s*(\d+)/i, /context (?:size|length|window) (?:of|is) (\d+)/i, /(\d+) maximum/i];
const REQUESTED_PATTERNS = [/you requested (\d+) tokens/i, /resulted in (\d+) tokens/i, /request has (\d+) input tokens/i, /\(length (\d+)\)/i, /"?n_prompt_tokens"?\s*[:=]\s*(\d+)/i, /too long: (\d+) tokens/i];

/** The overflow a refusal describes, or null when the status and text are some other failure. Codes count too (`context_length_exceeded`). */
export function readOverflow(status: number | undefined, text: string): Overflow | null {
  if (status === undefined || status < 400 || status >= 500) return null;
  if (!OVERFLOW_PATTERNS.some((p) => p.test(text))) return null;
  const first = (patterns: RegExp[]) => {
    for (const p of patterns) {
      const m = p.exec(text);
      if (m?.[1]) return Number(m[1]);
    }
    return undefined;
  };
  const window = first(WINDOW_PATTERNS);
  const requestedTokens = first(REQUESTED_PATTERNS);
  return { ...(window !== undefined ? { window } : {}), ...(requestedTokens !== undefined ? { requestedTokens } : {}) };
}

/** The words of a context-overflow error, so every provider says it the same way. */
export function overflowMessage(where: string, status: number, detail: string): string {
  return `${where}: context window exceeded (HTTP ${status}: ${detail})`;
}
