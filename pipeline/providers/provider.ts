/** The one narrow interface every rung's provider implements; the ladder never imports a client library. */
import type { StructuredShape } from "../config/config";

/** What a rung is asked. `shard` is the raw material for providers that read code themselves (the static rung). */
export interface CompletionRequest {
  system: string;
  prompt: string;
  /** JSON schema to send as structured-output format when the rung says `structured = true`. */
  schema?: Record<string, unknown>;
  shard?: ShardInput;
  /**
   * The texts the request was made from (the reviewed file), never sent: a cloud rung's redaction masks every secret
   * found in them wherever it reappears in the request, whole, escaped or cut (redact.ts).
   */
  sources?: readonly string[];
  /** The request's random fence token (pipeline/review/prompt.ts fenceNonce); the cache key reads past it. */
  nonce?: string;
}

export interface ShardInput {
  path: string;
  language: string;
  /** 1-based first line of `text` in the file. */
  lineStart: number;
  text: string;
}

export interface Completion {
  text: string;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
  /** The server that answered, for fleets (a host or base_url). */
  server?: string;
  /** The prompt tokens the server says it read, when it says (Ollama prompt_eval_count, OpenAI usage.prompt_tokens). */
  promptTokens?: number;
  /** Why generation stopped, normalised: "length" = the output limit (or the window) cut the answer off. */
  finishReason?: "stop" | "length" | "other";
  /** The context window the call ran with, when the provider set one (Ollama options.num_ctx). */
  window?: number;
  /** The request shape the server accepted for this call (json_schema, json_object or none). */
  shape?: StructuredShape;
}

export interface ProbeResult {
  server: string;
  reachable: boolean;
  modelPresent: boolean;
  detail: string;
  /** The model's context window as the server reports it (Ollama /api/show, vLLM max_model_len), when it does. */
  contextTokens?: number;
}

/**
 * How one call is placed. `avoid`: servers this request already failed on; a fleet sends it elsewhere when it can.
 * `deferFaults`: the caller retries and will say how the request ended through `Provider.settled`; a server's failure
 * then counts against it (its breaker) only if the request gave up or was answered by another server.
 */
export interface CallOptions {
  avoid?: ReadonlySet<string>;
  deferFaults?: boolean;
}

/** How a request ended after all its retries: the servers that failed it, and the server that answered (null: none). */
export interface RequestOutcome {
  failedOn: ReadonlySet<string>;
  answeredBy: string | null;
}

/** A model behind a rung. `complete` throws ProviderError for transport failures; an answer of any quality is a value. */
export interface Provider {
  readonly kind: "ollama" | "openai" | "static";
  readonly model: string;
  complete(request: CompletionRequest, signal: AbortSignal, call?: CallOptions): Promise<Completion>;
  /** The end of a request whose calls were placed with `deferFaults` (servers keep their health here). */
  settled?(outcome: RequestOutcome): void;
  /** Reachability and model presence of each server, for `scrum config check` and the pre-run check. */
  probe(signal: AbortSignal): Promise<ProbeResult[]>;
}
