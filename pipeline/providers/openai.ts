/** One OpenAI-compatible server (OpenAI, vLLM, LiteLLM, OpenRouter, Ollama /v1) through the `openai` client. */
import { APIConnectionError, APIConnectionTimeoutError, APIError, OpenAI } from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import type { RungConfig, StructuredShape } from "../config/config";
import { ProviderError } from "../../domain/errors";
import type { Completion, CompletionRequest, ProbeResult } from "./provider";
import { overflowMessage, readOverflow } from "./context-overflow";
import { callDeadline } from "./deadline";
import { toStrictSchema } from "./strict-schema";
import { completeAdapted } from "./adapt";
import { DEFAULT_RESERVED_OUTPUT_TOKENS } from "../review/tokens";
import { chatMessages, TraitBook } from "./traits";
import {
  type ServerClient,
  type ServerOptions,
  PROBE_TIMEOUT_MS,
  isNetworkError,
  networkMessage,
  parseRetryAfter,
  redactSecret,
  retryAfterApplies,
  safeCause,
} from "./fleet";
import { sameOllamaModel } from "./ollama";

/**
 * The client refuses to start without a credential, but vLLM, llama.cpp, LM Studio and Ollama /v1 need none.
 * Keyless rungs get this placeholder and the Authorization header is dropped, so no fake key goes on the wire.
 */
const NO_KEY = "not-needed";

/** The name under which the forensic schema is sent as `response_format: json_schema`. */
export const SCHEMA_NAME = "forensic_verdict";

/** The ServerClient for one OpenAI-compatible base URL. */
export function openaiServer(baseUrl: string, rung: RungConfig, options: ServerOptions = {}): ServerClient {
  const now = options.now ?? Date.now;
  const { apiKey } = options;
  const where = `rung "${rung.name}" (openai ${baseUrl}, model ${rung.model})`;
  const client = new OpenAI({
    baseURL: baseUrl,
    apiKey: apiKey ?? NO_KEY,
    ...(apiKey ? {} : { defaultHeaders: { Authorization: null } }),
    // Without these the client reads OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment.
    organization: null,
    project: null,
    // Retries live in one place, the ladder; a retry here would multiply them.
    maxRetries: 0,
    timeout: rung.timeoutMs,
    // Library code does not print; failures reach the caller as ProviderErrors.
    logLevel: "off",
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  /** Map whatever the client threw to a ProviderError; the caller's abort passes through as its reason. */
  function failure(e: unknown, signal: AbortSignal, timedOut = false): unknown {
    if (signal.aborted) return signal.reason;
    if (e instanceof ProviderError) return e;
    const redact = (text: string) => redactSecret(text, apiKey);
    const cause = safeCause(e, apiKey);
    if (timedOut) return new ProviderError("timeout", `${where}: no complete answer within ${rung.timeoutMs} ms`, cause);
    if (e instanceof APIConnectionTimeoutError) return new ProviderError("timeout", `${where}: no answer within ${rung.timeoutMs} ms`, cause);
    if (e instanceof APIConnectionError) {
      const detail = e.cause instanceof Error ? networkMessage(e.cause) : e.message;
      return new ProviderError("connection", `${where}: ${redact(detail)}`, cause);
    }
    if (e instanceof APIError && typeof e.status === "number") {
      const retryAfterMs = retryAfterApplies(e.status) ? parseRetryAfter(e.headers, now()) : undefined;
      // The client's message starts with the status ("429 Rate limit reached…").
      const detail = e.message.replace(new RegExp(`^${e.status} `), "");
      // llama.cpp puts n_ctx / n_prompt_tokens beside the message, OpenAI the code: read the whole error body.
      const overflow = readOverflow(e.status, `${detail} ${e.code ?? ""} ${e.type ?? ""} ${JSON.stringify(e.error ?? {})}`);
      if (overflow) return new ProviderError("context_overflow", overflowMessage(where, e.status, redact(detail)), { status: e.status, ...overflow, ...cause });
      return new ProviderError("http", `${where}: HTTP ${e.status}: ${redact(detail)}`, {
        status: e.status,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        ...cause,
      });
    }
    // The body is read after the status line: a reset there is the connection, bad bytes are the server's answer.
    if (isNetworkError(e)) return new ProviderError("connection", `${where}: ${redact(networkMessage(e as Error))}`, cause);
    if (e instanceof SyntaxError) return new ProviderError("invalid", `${where}: the server's answer is not valid JSON (${redact(e.message)})`, cause);
    return e;
  }

  const adapt = { server: baseUrl, rung, where, traits: options.traits ?? new TraitBook(), now, ...(options.sleep ? { sleep: options.sleep } : {}) };

  function complete(request: CompletionRequest, signal: AbortSignal): Promise<Completion> {
    return completeAdapted(adapt, request, signal, send);
  }

  /** One request in one shape: json_schema (strict), json_object (with the full schema, which llama.cpp enforces by grammar), or the prompt alone. */
  async function send(request: CompletionRequest, shape: StructuredShape, systemRole: boolean, signal: AbortSignal, bounds: boolean): Promise<Completion> {
    const started = now();
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: rung.model,
      messages: chatMessages(request, systemRole),
      ...(rung.temperature !== undefined ? { temperature: rung.temperature } : {}),
      // max_tokens, not max_completion_tokens: the one every OpenAI-compatible server (vLLM, Ollama /v1) reads.
      // Unset, the room the window keeps for the answer: llama.cpp's own default generates until its window is full.
      max_tokens: rung.maxOutputTokens ?? DEFAULT_RESERVED_OUTPUT_TOKENS,
      ...responseFormat(request.schema, shape, bounds),
    };
    // The client's own timeout stops at the headers; this one also covers reading the body.
    const deadline = callDeadline(signal, rung.timeoutMs);
    try {
      const res: unknown = await client.chat.completions.create(body, { signal: deadline.signal });
      return { ...readCompletion(res), latencyMs: now() - started, server: baseUrl, shape };
    } catch (e) {
      throw failure(e, signal, deadline.timedOut());
    } finally {
      deadline.close();
    }
  }

  function readCompletion(res: unknown): Pick<Completion, "text" | "tokensIn" | "tokensOut" | "promptTokens" | "finishReason"> {
    const body = (res ?? {}) as {
      choices?: { message?: { content?: unknown; refusal?: unknown }; finish_reason?: unknown }[];
      usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
    };
    const message = body.choices?.[0]?.message;
    const text = message?.content;
    if (typeof text !== "string" || text === "") {
      const refusal = typeof message?.refusal === "string" ? `; the model refused: ${message.refusal}` : "";
      throw new ProviderError("invalid", `${where}: the answer has no message content${refusal}`);
    }
    // Some compatible servers omit usage; 0 says "not reported", the cost columns then undercount rather than invent.
    const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
    const reported = body.usage?.prompt_tokens;
    const finish = body.choices?.[0]?.finish_reason;
    return {
      text,
      tokensIn: count(reported),
      tokensOut: count(body.usage?.completion_tokens),
      ...(typeof reported === "number" && Number.isFinite(reported) ? { promptTokens: reported } : {}),
      ...(typeof finish === "string" ? { finishReason: finish === "length" ? "length" : finish === "stop" ? "stop" : "other" } : {}),
    };
  }

  async function probe(signal: AbortSignal): Promise<ProbeResult> {
    try {
      const page = await client.models.list({ signal, timeout: Math.min(rung.timeoutMs, PROBE_TIMEOUT_MS) });
      const ids = page.data.map((m) => m.id);
      const modelPresent = ids.some((id) => sameOllamaModel(id, rung.model));
      const listed = page.data.find((m) => sameOllamaModel(m.id, rung.model));
      const contextTokens = listed ? listedWindow(listed) : undefined;
      const shown = ids.length > 8 ? `${ids.slice(0, 8).join(", ")}, … (${ids.length} in all)` : ids.join(", ") || "none";
      return {
        server: baseUrl,
        reachable: true,
        modelPresent,
        detail: modelPresent ? `model ${rung.model} is present` : `model ${rung.model} not found (the server lists: ${shown})`,
        ...(contextTokens !== undefined ? { contextTokens } : {}),
      };
    } catch (e) {
      const err = failure(e, signal);
      if (!(err instanceof ProviderError)) throw err;
      return { server: baseUrl, reachable: err.kind === "http", modelPresent: false, detail: err.message };
    }
  }

  return { server: baseUrl, complete, probe };
}

/**
 * The `response_format` of a shape. json_object carries the closed schema with its constraints beside it (`schema`):
 * llama-cpp-python and llama.cpp's server turn it into a grammar that enforces minLength and enums; others ignore it.
 * json_schema keeps the numeric bounds (vLLM enforces them: an `alignment_score` of 4500 asked for comes back as 10)
 * unless the server refused them (`bounds` false).
 */
export function responseFormat(schema: Record<string, unknown> | undefined, shape: StructuredShape, bounds = true): Pick<ChatCompletionCreateParamsNonStreaming, "response_format"> {
  if (!schema || shape === "none") return {};
  if (shape === "json_object") return { response_format: { type: "json_object", schema: toStrictSchema(schema, "all") } as { type: "json_object" } };
  return { response_format: { type: "json_schema", json_schema: { name: SCHEMA_NAME, strict: true, schema: toStrictSchema(schema, bounds ? "bounds" : "none") } } };
}

/** The window a model list entry states: vLLM says `max_model_len`, OpenRouter `context_length`; OpenAI itself says neither. */
export function listedWindow(entry: object): number | undefined {
  const fields = entry as { max_model_len?: unknown; context_length?: unknown };
  for (const v of [fields.max_model_len, fields.context_length]) if (typeof v === "number" && Number.isInteger(v) && v > 0) return v;
  return undefined;
}
