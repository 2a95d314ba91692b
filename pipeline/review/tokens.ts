/**
 * How many tokens a request costs a rung's context window, counted before it is sent, and whether the server's own
 * count afterwards says the prompt was cut. OpenAI model families are counted with their real tokenizer
 * (gpt-tokenizer); every other model with a conservative characters-per-token rule, because its tokenizer is not
 * on npm in a form we can trust to match the server's.
 */
import type { RungConfig } from "../config/config";
import type { Completion, CompletionRequest } from "../providers/provider";

/** The tokenizer a count came from; `chars` is the conservative rule. */
export type TokenMethod = "o200k_base" | "cl100k_base" | "chars";

export interface TokenEstimate {
  /** The prompt as the server reads it: messages, chat-template overhead and (OpenAI) the structured-output schema. */
  prompt: number;
  /** Room kept for the answer: the rung's max_output_tokens, else DEFAULT_RESERVED_OUTPUT_TOKENS. */
  output: number;
  total: number;
  method: TokenMethod;
}

/**
 * Code through current open-model tokenizers (Qwen, Llama 3, DeepSeek, Gemma) reads 3.5–4.5 ASCII characters a
 * token; 3 leaves room for denser ones (32k-vocabulary Llama 2 / Mistral), so the rule over-counts rather than under.
 */
export const CHARS_PER_TOKEN = 3;

/** Room kept for an answer when the rung sets no max_output_tokens: a forensic verdict with a handful of findings. */
export const DEFAULT_RESERVED_OUTPUT_TOKENS = 1024;

/** Chat templates wrap each message in role markers; OpenAI's own accounting is 3–4 a message plus 3 to prime the reply. */
const TOKENS_PER_MESSAGE = 8;
const TOKENS_PER_REPLY = 8;

/** A server count this close to the window means the prompt filled it: what did not fit was cut. */
const WINDOW_EDGE_TOKENS = 16;

/**
 * A server count below this share of the estimate means part of the prompt never reached the model. The chars rule
 * over-counts by up to half on ordinary code, so only a drop past that is evidence; a real tokenizer is near exact.
 */
const TRUNCATION_FLOOR: Record<TokenMethod, number> = { o200k_base: 0.85, cl100k_base: 0.85, chars: 0.5 };

type Counter = (text: string) => number;
const loaded = new Map<TokenMethod, Promise<Counter>>();

/** The tokenizer of a model name: OpenAI's gpt-* and o-series by their encoding, anything else by the chars rule. */
export function tokenMethodFor(model: string): TokenMethod {
  // OpenRouter and LiteLLM prefix the vendor ("openai/gpt-4o"); Ollama tags a size ("gpt-oss:120b").
  const name = (model.split("/").pop() ?? model).toLowerCase();
  if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o[1-9](?:$|[-:.]))/.test(name)) return "o200k_base";
  if (/^(gpt-4|gpt-3\.5|gpt-35)/.test(name)) return "cl100k_base";
  return "chars";
}

/** Tokens of `text` by the conservative rule: ASCII at CHARS_PER_TOKEN, every other code point a token of its own. */
export function countByChars(text: string): number {
  let ascii = 0;
  let other = 0;
  // Over UTF-16 code units, not `for…of`: every shard's system prompt is counted, and iterating code points allocates.
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 128) {
      ascii++;
      continue;
    }
    other++;
    // A surrogate pair is one code point; a lone surrogate counts on its own, as it does in `for…of`.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return Math.ceil(ascii / CHARS_PER_TOKEN) + other;
}

/** The counter for a method; the BPE tables load on first use (a third of a second each, so only when a rung needs them). */
export function tokenCounter(method: TokenMethod): Promise<Counter> {
  if (method === "chars") return Promise.resolve(countByChars);
  let counter = loaded.get(method);
  if (!counter) {
    // Audited code is untrusted: "<|endoftext|>" in it is text to count, not a special token to refuse.
    const plain = { disallowedSpecial: new Set<string>() };
    counter =
      method === "o200k_base"
        ? import("gpt-tokenizer/encoding/o200k_base").then((m) => (text: string) => m.countTokens(text, plain))
        : import("gpt-tokenizer/encoding/cl100k_base").then((m) => (text: string) => m.countTokens(text, plain));
    loaded.set(method, counter);
  }
  return counter;
}

/** The last system prompt counted by each method: every shard of a run sends the same one. */
const lastSystem = new Map<TokenMethod, { text: string; tokens: number }>();

function systemTokens(method: TokenMethod, count: Counter, text: string): number {
  const last = lastSystem.get(method);
  if (last?.text === text) return last.tokens;
  const tokens = count(text);
  lastSystem.set(method, { text, tokens });
  return tokens;
}

/** The tokens a request takes in a rung's window: its prompt as sent plus the room its answer needs. */
export async function estimateRequest(request: CompletionRequest, rung: RungConfig): Promise<TokenEstimate> {
  const method = tokenMethodFor(rung.model);
  const count = await tokenCounter(method);
  const messages = (request.system ? 1 : 0) + 1;
  // OpenAI-compatible servers put a json_schema response_format into the prompt; Ollama enforces `format` by grammar.
  const schema = request.schema && rung.provider === "openai" ? count(JSON.stringify(request.schema)) : 0;
  const prompt = (request.system ? systemTokens(method, count, request.system) : 0) + count(request.prompt) + schema + messages * TOKENS_PER_MESSAGE + TOKENS_PER_REPLY;
  const output = rung.maxOutputTokens ?? DEFAULT_RESERVED_OUTPUT_TOKENS;
  return { prompt, output, total: prompt + output, method };
}

/** Why a rung's window cannot hold the request, or null when it can (a rung with no window, the static one, holds anything). */
export function windowShortfall(estimate: TokenEstimate, rung: RungConfig): string | null {
  const window = rung.contextTokens;
  if (window === undefined || estimate.total <= window) return null;
  return `the request needs ~${estimate.total} tokens (~${estimate.prompt} prompt + ${estimate.output} reserved for the answer) and context_tokens is ${window}`;
}

/**
 * Why an answer cannot be trusted because of the window, or null: cut off by the output limit, or written to a prompt
 * the server did not read whole (its count well below the estimate, or filling the window to the edge).
 */
export function truncationReason(completion: Pick<Completion, "finishReason" | "promptTokens" | "tokensOut" | "window">, estimate: TokenEstimate, window?: number): string | null {
  if (completion.finishReason === "length") return lengthReason(completion, estimate.output, completion.window ?? window);
  const read = completion.promptTokens;
  if (read === undefined || read <= 0) return null;
  const edge = completion.window ?? window;
  const belowEstimate = read < estimate.prompt * TRUNCATION_FLOOR[estimate.method];
  const atEdge = edge !== undefined && read >= edge - WINDOW_EDGE_TOKENS;
  const atServerWindow = serverWindowEdge(read, estimate, edge);
  if (!belowEstimate && !atEdge && atServerWindow === null) return null;
  if (!belowEstimate && !atEdge) return `prompt truncated by the server (${read} of ~${estimate.prompt} tokens read: the count stops at ${atServerWindow}, a window the server runs with whatever num_ctx asked)`;
  return `prompt truncated by the server (${read} of ~${estimate.prompt} tokens read)`;
}

/** Windows servers are started with (llama.cpp --n_ctx, vLLM --max-model-len) are multiples of this. */
const WINDOW_GRAIN = 256;

/**
 * What stopped an answer with finish reason "length", and what to change. max_output_tokens (the answer reserve,
 * `limit`) when the answer reached it. Otherwise the server stopped it earlier: llama.cpp lowers max_tokens to the
 * room its window leaves after the prompt and stops there, so prompt + answer is the window — the configured one
 * (`window`), or a round number of tokens (a multiple of WINDOW_GRAIN) when context_tokens overstates the server's.
 * Anything else is a window of prompt + answer tokens or a cap of the server's own (a proxy's max_tokens; a Modelfile's
 * num_predict no longer applies, since every request sends its own): both are named, since the answer alone cannot tell
 * them apart.
 */
function lengthReason(completion: Pick<Completion, "promptTokens" | "tokensOut">, limit: number, window: number | undefined): string {
  const wrote = completion.tokensOut;
  if (wrote >= limit) return `answer cut off by max_output_tokens after ${wrote} tokens (finish reason "length"); raise max_output_tokens (now ${limit}) if the window has room for it`;
  const read = completion.promptTokens;
  if (read === undefined || read <= 0) {
    return `answer stopped after ${wrote} tokens, below max_output_tokens = ${limit} (finish reason "length"): the server's window or an output cap of its own ended it; use a smaller max_shard_chars or a rung with a larger window`;
  }
  const total = read + wrote;
  const atWindow = window !== undefined && total >= window - WINDOW_EDGE_TOKENS;
  if (atWindow || (total >= SMALLEST_SERVER_WINDOW / 2 && total % WINDOW_GRAIN === 0)) {
    const size = atWindow ? window : total;
    const overstated = !atWindow && window !== undefined ? `; context_tokens = ${window} overstates it, set context_tokens = ${size}` : "";
    return `answer stopped at the server's window of ${size} tokens (prompt ${read} + answer ${wrote}; max_output_tokens = ${limit} not reached): use a smaller max_shard_chars or a rung with a larger window${overstated}`;
  }
  const configured = window !== undefined ? ` nor context_tokens = ${window}` : "";
  return `answer stopped after ${wrote} tokens by the server (prompt ${read} + answer ${wrote} = ${total} tokens; neither max_output_tokens = ${limit}${configured} reached): a window of ${total} tokens on the server (llama.cpp --n_ctx) or an output cap of its own (a proxy's max_tokens) ended it; set context_tokens to the server's window and use a smaller max_shard_chars, or raise the server's cap`;
}

/** The smallest window a server plausibly runs with by default (Ollama's older default num_ctx). */
const SMALLEST_SERVER_WINDOW = 1024;

/**
 * At a count that is exactly a power of two, a smaller drop below the estimate is evidence of a cut than anywhere else
 * (TRUNCATION_FLOOR): the chars rule reads ordinary code at up to ~1.4× the server's count, so a whole prompt stays
 * above two thirds of the estimate; a real tokenizer is near exact.
 */
const SERVER_WINDOW_FLOOR: Record<TokenMethod, number> = { o200k_base: 0.95, cl100k_base: 0.95, chars: 2 / 3 };

/**
 * The server's own window when its count is exactly a power of two (Ollama's default num_ctx 2048/4096, and the sizes
 * OLLAMA_CONTEXT_LENGTH and proxies use) below the window the call asked for, while our count says the prompt is
 * clearly longer (SERVER_WINDOW_FLOOR): a server that ignores num_ctx, or an endpoint that takes none (Ollama's /v1), cuts there without saying so
 * (Ollama's runner keeps exactly num_ctx tokens of a prompt it cuts). Exact, not near: shard prompts cluster in size,
 * and a whole prompt a few tokens under a power of two is common. Null otherwise.
 */
function serverWindowEdge(read: number, estimate: TokenEstimate, asked: number | undefined): number | null {
  if (read < SMALLEST_SERVER_WINDOW || (read & (read - 1)) !== 0) return null;
  if (read >= estimate.prompt * SERVER_WINDOW_FLOOR[estimate.method] || (asked !== undefined && read >= asked)) return null;
  return read;
}
