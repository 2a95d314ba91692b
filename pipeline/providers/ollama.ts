/** One Ollama server (local, or Ollama Cloud with a key) through the `ollama` client: one chat call per completion. */
import { Ollama } from "ollama";
import type { RungConfig, StructuredShape } from "../config/config";
import { ProviderError } from "../../domain/errors";
import type { Completion, CompletionRequest, ProbeResult } from "./provider";
import { overflowMessage, readOverflow } from "./context-overflow";
import { callDeadline } from "./deadline";
import { completeAdapted } from "./adapt";
import { DEFAULT_RESERVED_OUTPUT_TOKENS } from "../review/tokens";
import { chatMessages, TraitBook } from "./traits";
import {
  type FetchLike,
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

/** Ollama names an untagged model `name:latest`; a rung may say either. */
export function sameOllamaModel(listed: string, wanted: string): boolean {
  const bare = (name: string) => (name.endsWith(":latest") ? name.slice(0, -":latest".length) : name);
  return bare(listed) === bare(wanted);
}

/** ollama-js throws a ResponseError for HTTP statuses but does not export the class. */
function isResponseError(e: unknown): e is Error & { error: string; status_code: number } {
  return e instanceof Error && e.name === "ResponseError" && typeof (e as { status_code?: unknown }).status_code === "number";
}

/**
 * ollama-js prints to the console when an error body is not JSON (a proxy's HTML 502, say) or fails to parse;
 * hand it `{ "error": text }` instead. Headers are kept for Retry-After.
 */
async function asJsonError(res: Response): Promise<Response> {
  const text = await res.text();
  let message = text.trim().slice(0, 300) || res.statusText || `HTTP ${res.status}`;
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === "string") message = body.error;
    else if (body.error !== undefined) message = JSON.stringify(body.error).slice(0, 300);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
  }
  const headers = new Headers(res.headers);
  headers.set("content-type", "application/json");
  headers.delete("content-length");
  headers.delete("content-encoding");
  return new Response(JSON.stringify({ error: message }), { status: res.status, statusText: res.statusText, headers });
}

/** The ServerClient for one Ollama host. */
export function ollamaServer(host: string, rung: RungConfig, options: ServerOptions = {}): ServerClient {
  const baseFetch: FetchLike = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const { apiKey } = options;
  const where = `rung "${rung.name}" (ollama ${host}, model ${rung.model})`;

  // ollama-js sends non-streaming requests without an AbortSignal and keeps no response headers on errors,
  // so every call gets its own (cheap) client whose fetch carries that call's signal and remembers the response.
  function openCall(signal: AbortSignal, timeoutMs: number) {
    // The deadline covers the whole call: a body that stalls or never ends after the headers is cut too.
    const deadline = callDeadline(signal, timeoutMs);
    const both = deadline.signal;
    let lastResponse: Response | undefined;
    const callFetch: FetchLike = async (input, init) => {
      const headers = new Headers(init?.headers);
      // ollama-js adds $OLLAMA_API_KEY for ollama.com on its own; keys reach a rung only through api_key_env.
      if (!apiKey) headers.delete("authorization");
      const res = await baseFetch(input, { ...init, headers, signal: init?.signal ? AbortSignal.any([both, init.signal]) : both });
      lastResponse = res;
      return res.ok ? res : asJsonError(res);
    };
    const client = new Ollama({
      host,
      // The client's type is `typeof fetch`, which in Bun also carries `preconnect`; ollama-js only calls it.
      fetch: callFetch as typeof fetch,
      ...(apiKey ? { headers: { Authorization: `Bearer ${apiKey}` } } : {}),
    });
    return {
      client,
      timeoutMs,
      timedOut: deadline.timedOut,
      lastHeaders: () => lastResponse?.headers,
      close: deadline.close,
    };
  }

  type Call = ReturnType<typeof openCall>;

  /** Map whatever the client threw to a ProviderError; the caller's abort passes through as its reason. */
  function failure(e: unknown, signal: AbortSignal, call: Call): unknown {
    if (signal.aborted) return signal.reason;
    if (e instanceof ProviderError) return e;
    const redact = (text: string) => redactSecret(text, apiKey);
    const cause = safeCause(e, apiKey);
    if (call.timedOut()) return new ProviderError("timeout", `${where}: no answer within ${call.timeoutMs} ms`, cause);
    if (isResponseError(e)) {
      const status = e.status_code;
      const retryAfterMs = retryAfterApplies(status) ? parseRetryAfter(call.lastHeaders(), now()) : undefined;
      const hint = status === 404 ? `; is the model pulled? (ollama pull ${rung.model})` : "";
      // Ollama itself cuts an over-long prompt silently; proxies in front of it (and Ollama Cloud) refuse instead.
      const overflow = readOverflow(status, e.error);
      if (overflow) return new ProviderError("context_overflow", overflowMessage(where, status, redact(e.error)), { status, ...overflow, ...cause });
      return new ProviderError("http", `${where}: HTTP ${status}: ${redact(e.error)}${hint}`, {
        status,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        ...cause,
      });
    }
    if (isNetworkError(e)) return new ProviderError("connection", `${where}: ${redact(networkMessage(e as Error))}`, cause);
    if (e instanceof SyntaxError) return new ProviderError("invalid", `${where}: the server's answer is not valid JSON (${redact(e.message)})`, cause);
    return e;
  }

  const adapt = { server: host, rung, where, traits: options.traits ?? new TraitBook(), now, ...(options.sleep ? { sleep: options.sleep } : {}) };

  function complete(request: CompletionRequest, signal: AbortSignal): Promise<Completion> {
    return completeAdapted(adapt, request, signal, send);
  }

  async function send(request: CompletionRequest, shape: StructuredShape, systemRole: boolean, signal: AbortSignal): Promise<Completion> {
    const started = now();
    const call = openCall(signal, rung.timeoutMs);
    try {
      const res: unknown = await call.client.chat({
        model: rung.model,
        messages: chatMessages(request, systemRole),
        stream: false,
        // Ollama's `format` takes the request's JSON schema as it is (no strict form, unlike OpenAI); "json" is its JSON mode.
        ...(request.schema && shape === "json_schema" ? { format: request.schema } : {}),
        ...(request.schema && shape === "json_object" ? { format: "json" } : {}),
        options: {
          // Without num_ctx Ollama runs its own default window (2–4k tokens) and cuts the prompt from the front.
          // The rung's whole window, not this request's size: a num_ctx that changes between calls reloads the model.
          ...(rung.contextTokens !== undefined ? { num_ctx: rung.contextTokens } : {}),
          ...(rung.temperature !== undefined ? { temperature: rung.temperature } : {}),
          // Always a cap: Ollama's own default (num_predict -1) generates until the model stops, and a small model held to
          // a JSON grammar may not stop before the call's timeout (SmolLM2-135M on Ollama 0.17.4: every call cut at 180 s).
          num_predict: rung.maxOutputTokens ?? DEFAULT_RESERVED_OUTPUT_TOKENS,
        },
      });
      const answer = { ...readChat(res), latencyMs: now() - started, server: host, shape };
      if (rung.contextTokens === undefined) return answer;
      // Ollama clamps num_ctx to the model's trained length: the window the call really ran with is the smaller one,
      // and a prompt_eval_count at its edge is the sign of a cut (a rung configured larger than the model).
      const trained = await modelWindow(signal);
      return { ...answer, window: trained !== undefined ? Math.min(trained, rung.contextTokens) : rung.contextTokens };
    } catch (e) {
      throw failure(e, signal, call);
    } finally {
      call.close();
    }
  }

  let trainedWindow: Promise<number | undefined> | undefined;
  /** The model's window from /api/show, asked once per server; undefined when the server does not say or cannot be asked. */
  function modelWindow(signal: AbortSignal): Promise<number | undefined> {
    trainedWindow ??= (async () => {
      const call = openCall(signal, Math.min(rung.timeoutMs, PROBE_TIMEOUT_MS));
      try {
        return await showWindow(call, signal);
      } catch (e) {
        if (signal.aborted) throw signal.reason;
        // The answer is already here; a server that cannot say its window leaves the configured one in force.
        if (e instanceof ProviderError) return undefined;
        throw e;
      } finally {
        call.close();
      }
    })().catch((e: unknown) => {
      // An aborted ask is asked again by the next call.
      trainedWindow = undefined;
      throw e;
    });
    return trainedWindow;
  }

  function readChat(res: unknown): Pick<Completion, "text" | "tokensIn" | "tokensOut" | "promptTokens" | "finishReason"> {
    const body = (res ?? {}) as { message?: { content?: unknown }; prompt_eval_count?: unknown; eval_count?: unknown; done_reason?: unknown };
    const text = body.message?.content;
    if (typeof text !== "string" || text === "") {
      throw new ProviderError("invalid", `${where}: the answer has no message content`);
    }
    // An answer may leave prompt_eval_count out (older Ollama did when the whole prompt came from its cache; 0.17.4
    // counts the whole prompt either way): no tokens are counted in, and the prompt-token checks are not made.
    const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
    const reported = body.prompt_eval_count;
    const finish = body.done_reason;
    return {
      text,
      tokensIn: count(reported),
      tokensOut: count(body.eval_count),
      ...(typeof reported === "number" && Number.isFinite(reported) ? { promptTokens: reported } : {}),
      ...(typeof finish === "string" ? { finishReason: finish === "length" ? "length" : finish === "stop" ? "stop" : "other" } : {}),
    };
  }

  async function probe(signal: AbortSignal): Promise<ProbeResult> {
    const call = openCall(signal, Math.min(rung.timeoutMs, PROBE_TIMEOUT_MS));
    try {
      const list = await call.client.list();
      const names = (list.models ?? []).map((m) => m.name);
      const modelPresent = names.some((n) => sameOllamaModel(n, rung.model));
      const contextTokens = modelPresent ? await showWindow(call, signal) : undefined;
      const shown = names.length > 8 ? `${names.slice(0, 8).join(", ")}, … (${names.length} in all)` : names.join(", ") || "none";
      return {
        server: host,
        reachable: true,
        modelPresent,
        detail: modelPresent ? `model ${rung.model} is present` : `model ${rung.model} not found (the server has: ${shown}); pull it with: ollama pull ${rung.model}`,
        ...(contextTokens !== undefined ? { contextTokens } : {}),
      };
    } catch (e) {
      const err = failure(e, signal, call);
      if (!(err instanceof ProviderError)) throw err;
      return { server: host, reachable: err.kind === "http", modelPresent: false, detail: err.message };
    } finally {
      call.close();
    }
  }

  /** The model's trained window from POST /api/show; Ollama clamps a larger num_ctx to it. Undefined when the server does not say. */
  async function showWindow(call: Call, signal: AbortSignal): Promise<number | undefined> {
    try {
      const shown: unknown = await call.client.show({ model: rung.model });
      return modelInfoWindow((shown as { model_info?: unknown } | null)?.model_info);
    } catch (e) {
      // A server too old for /api/show is still reachable with its model present; its window is just not known.
      const err = failure(e, signal, call);
      if (err instanceof ProviderError && err.kind === "http") return undefined;
      throw err;
    }
  }

  return { server: host, complete, probe };
}

/** `model_info["<arch>.context_length"]` of an /api/show answer, the architecture read from `general.architecture`. */
export function modelInfoWindow(info: unknown): number | undefined {
  if (typeof info !== "object" || info === null) return undefined;
  const fields = info as Record<string, unknown>;
  const arch = fields["general.architecture"];
  const keys = typeof arch === "string" ? [`${arch}.context_length`] : Object.keys(fields).filter((k) => k.endsWith(".context_length"));
  for (const key of keys) {
    const v = fields[key];
    if (typeof v === "number" && Number.isInteger(v) && v > 0) return v;
  }
  return undefined;
}
