/**
 * The simulated server's context windows: what a model of a given window does with a prompt too long for it (Ollama
 * cuts it from the front, vLLM refuses it) and with an answer longer than its output limit (it stops with "length").
 */

/** One model's limits. */
export interface ModelWindow {
  /** The model's context length: Ollama clamps a larger num_ctx to it (as /api/show reports it); vLLM's max_model_len. */
  contextTokens: number;
  /** The longest answer the model writes before it stops with "length". Default: no limit of its own. */
  outputTokens?: number;
  /**
   * The window the server really runs the model with, whatever the request asks: it ignores num_ctx and cuts a longer
   * prompt from the front on either protocol, saying nothing (a proxy that drops options, Ollama's /v1 endpoint).
   * /api/show and /v1/models still report `contextTokens`. Default: none (num_ctx is honoured, vLLM refuses).
   */
  cutsAt?: number;
  /**
   * llama.cpp's server (llama-cpp-python): max_tokens is lowered to the room the window leaves after the prompt, so a
   * long answer stops at the window with "length"; only a prompt that fills the window is refused. Default: vLLM,
   * which refuses a request whose prompt and max_tokens together exceed the window.
   */
  fillsWindow?: boolean;
}

/**
 * Ollama keeps this many leading tokens when it cuts a prompt (the runner's num_keep), then the tail that fits:
 * the start of the system prompt survives, its instructions do not.
 */
export const OLLAMA_NUM_KEEP = 4;

/** The window Ollama runs a model with when a request sends no num_ctx (recent releases; older ones 2048). */
export const OLLAMA_DEFAULT_NUM_CTX = 4096;

/** Chat-template tokens around each message (role markers), counted into the prompt as a server does. */
const TEMPLATE_TOKENS_PER_MESSAGE = 4;

/** How the server counts tokens: a fixed characters-per-token rate (a real tokenizer would vary per text). */
export function countTokens(text: string, charsPerToken: number): number {
  return Math.ceil(text.length / charsPerToken);
}

/** The prompt of a chat as the server counts it: each message's text plus its template tokens. */
export function promptTokens(messages: string[], charsPerToken: number): number {
  return messages.reduce((sum, m) => sum + countTokens(m, charsPerToken) + TEMPLATE_TOKENS_PER_MESSAGE, 0);
}

/** What an Ollama model read of a prompt in a window of `window` tokens. */
export interface OllamaRead {
  /** The prompt_eval_count the server reports. */
  promptTokens: number;
  /** Whether the prompt was cut to fit. */
  truncated: boolean;
  /** The text the model saw: num_keep tokens from the front, then the tail. */
  seen: string;
}

/** Cut a prompt that does not fit the window from the front, as Ollama's runner does. */
export function ollamaRead(prompt: string, tokens: number, window: number, charsPerToken: number): OllamaRead {
  if (tokens <= window) return { promptTokens: tokens, truncated: false, seen: prompt };
  const keep = prompt.slice(0, OLLAMA_NUM_KEEP * charsPerToken);
  const tail = prompt.slice(prompt.length - (window - OLLAMA_NUM_KEEP) * charsPerToken);
  return { promptTokens: window, truncated: true, seen: keep + tail };
}

/** The window an Ollama call runs with: its num_ctx (or Ollama's default), never more than the model's own length. */
export function ollamaWindow(model: ModelWindow, numCtx: number | undefined): number {
  if (model.cutsAt !== undefined) return model.cutsAt;
  const asked = numCtx !== undefined && numCtx > 0 ? numCtx : OLLAMA_DEFAULT_NUM_CTX;
  return Math.min(asked, model.contextTokens);
}

/** vLLM's refusal of a request longer than the model's window, or null when it fits. */
export function vllmOverflow(model: ModelWindow, prompt: number, maxTokens: number | undefined): string | null {
  const n = model.contextTokens;
  if (maxTokens !== undefined && prompt + maxTokens > n) {
    return `This model's maximum context length is ${n} tokens. However, you requested ${prompt + maxTokens} tokens (${prompt} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`;
  }
  if (prompt >= n) {
    return `This model's maximum context length is ${n} tokens. However, your messages resulted in ${prompt} tokens. Please reduce the length of the messages.`;
  }
  return null;
}

/** An answer held to the output limit: cut at `limit` tokens with finish reason "length", else whole with "stop". */
export function limitAnswer(text: string, limit: number | undefined, charsPerToken: number): { text: string; tokens: number; finish: "stop" | "length" } {
  const tokens = countTokens(text, charsPerToken);
  if (limit === undefined || tokens <= limit) return { text, tokens, finish: "stop" };
  return { text: text.slice(0, Math.max(0, limit) * charsPerToken), tokens: Math.max(0, limit), finish: "length" };
}

/** The tightest of the limits that apply (undefined ones do not); undefined when none does. */
export function tightest(...limits: (number | undefined)[]): number | undefined {
  const set = limits.filter((l): l is number => l !== undefined && Number.isFinite(l));
  return set.length > 0 ? Math.min(...set) : undefined;
}

/** Check a window from options or the command line, with a message naming the model. */
export function checkWindow(model: string, w: ModelWindow): ModelWindow {
  if (!Number.isInteger(w.contextTokens) || w.contextTokens < OLLAMA_NUM_KEEP + 1) {
    throw new TypeError(`Expected the context window of model "${model}" to be a whole number of tokens above ${OLLAMA_NUM_KEEP}, got ${w.contextTokens}`);
  }
  if (w.cutsAt !== undefined && (!Number.isInteger(w.cutsAt) || w.cutsAt < OLLAMA_NUM_KEEP + 1)) {
    throw new TypeError(`Expected the window model "${model}" cuts prompts at to be a whole number of tokens above ${OLLAMA_NUM_KEEP}, got ${w.cutsAt}`);
  }
  if (w.outputTokens !== undefined && (!Number.isInteger(w.outputTokens) || w.outputTokens < 1)) {
    throw new TypeError(`Expected the output limit of model "${model}" to be a whole number of tokens from 1, got ${w.outputTokens}`);
  }
  return w;
}

/** `--window big=4096` or `--window big=4096/512` (context / output tokens) → ["big", window]; the name may hold ':'. */
export function parseWindowArg(arg: string): [string, ModelWindow] {
  const at = arg.lastIndexOf("=");
  const m = at > 0 ? /^(\d+)(?:\/(\d+))?$/.exec(arg.slice(at + 1)) : null;
  if (!m) throw new TypeError(`Expected --window NAME=CONTEXT_TOKENS[/OUTPUT_TOKENS], got "${arg}"`);
  const model = arg.slice(0, at);
  return [model, checkWindow(model, { contextTokens: Number(m[1]), ...(m[2] ? { outputTokens: Number(m[2]) } : {}) })];
}
