/**
 * A simulated model server for tests, benchmarks and demos. It speaks the real Ollama HTTP API (/api/chat,
 * /api/tags, /api/version) and the OpenAI API (/v1/chat/completions, /v1/models) on 127.0.0.1, and answers each
 * call with a scripted behaviour per model: a forensic verdict about the code in the prompt, a thin or malformed
 * answer, an error status, no answer at all, or a connection cut mid-body. A model may have a context window:
 * Ollama cuts a prompt over it from the front (and the model, its instructions lost, answers thin), the OpenAI
 * protocol refuses it with vLLM's 400, and an answer over the output limit stops with "length".
 *
 *   bun scripts/sim-server.ts --port 11434 --model qwen2.5-coder:7b=good --model big=thin,good --window big=4096/512
 */
import { parseArgs } from "node:util";
import { answerFor } from "./sim/answers";
import { BEHAVIOURS, type Behaviour, BehaviourScript, bareModel, expandBehaviours, isAnswerBehaviour } from "./sim/behaviours";
import { type Answer, type Ending, endlessBody, ollamaChat, ollamaError, ollamaShow, ollamaTags, ollamaVersion, openaiChat, openaiError, openaiModels } from "./sim/wire";
import { type ModelWindow, checkWindow, countTokens, limitAnswer, ollamaRead, ollamaWindow, parseWindowArg, promptTokens, tightest, vllmOverflow } from "./sim/window";

export type { Behaviour } from "./sim/behaviours";

/** How often `slow-body` sends its next byte. */
const SLOW_BODY_EVERY_MS = 50;
export type { ModelWindow } from "./sim/window";

export interface SimServerOptions {
  /** Behaviour per model name; a list is used in order per call, the last one repeating. */
  behaviours: Record<string, Behaviour | Behaviour[]>;
  /** Delay before every chat answer. Default 0. */
  latencyMs?: number;
  /** Default 0: a free port. */
  port?: number;
  /** When set, chat and model-list requests must carry `Authorization: Bearer <apiKey>`, else 401. */
  apiKey?: string;
  /** Context window (and output limit) per model name. A model with none has no limit at all. */
  windows?: Record<string, ModelWindow>;
  /** The window of every model that `windows` does not name. Default: none. */
  window?: ModelWindow;
  /** How densely the server's "tokenizer" counts: characters a token. Default 4. */
  charsPerToken?: number;
}

/** One chat request as the server saw it. Never holds a credential: `authorization` says only whether one came. */
export interface RecordedCall {
  model: string;
  protocol: "ollama" | "openai";
  stream: boolean;
  /** Ollama `format` or OpenAI `response_format` was sent. */
  structured: boolean;
  /** The structured-output request as sent (`format`, or `response_format`), for checking its shape. */
  format?: unknown;
  authorization: boolean;
  /** Absent when the call was refused before a behaviour was drawn (unknown model, bad key). */
  behaviour?: Behaviour;
  temperature?: number;
  /** Ollama `options.num_predict`, OpenAI `max_tokens` or `max_completion_tokens`. */
  maxTokens?: number;
  /** Ollama `options.num_ctx` as sent. */
  numCtx?: number;
  /** The prompt's tokens as the server counts them (before any cut). */
  promptTokens: number;
  /** The window the call ran with (Ollama: num_ctx clamped to the model's length); absent when the model has none. */
  window?: number;
  /** The server cut the prompt to fit the window (Ollama, or a model with `cutsAt` on either protocol). */
  truncated: boolean;
  /** The server refused the prompt as longer than the window (OpenAI protocol, as vLLM does). */
  overflowed: boolean;
  /** The answer stopped at the output limit ("length"). */
  cutOff: boolean;
  system: string;
  user: string;
  /** The request body as received, byte for byte (what a secret must never be in). */
  body: string;
}

export interface SimServer {
  url: string;
  ollamaHost: string;
  openaiBaseUrl: string;
  calls: RecordedCall[];
  stop(): Promise<void>;
}

type Protocol = RecordedCall["protocol"];

/** Start the simulated server; `stop()` ends every open request and closes the port. */
export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const script = new BehaviourScript(options.behaviours);
  const latencyMs = options.latencyMs ?? 0;
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new TypeError(`Expected \`latencyMs\` to be a number from 0 and up, got ${latencyMs}`);
  const calls: RecordedCall[] = [];
  const charsPerToken = options.charsPerToken ?? 4;
  if (!Number.isFinite(charsPerToken) || charsPerToken <= 0) throw new TypeError(`Expected \`charsPerToken\` to be a number above 0, got ${charsPerToken}`);
  const windows = new Map(Object.entries(options.windows ?? {}).map(([m, w]) => [bareModel(m), checkWindow(m, w)]));
  const fallbackWindow = options.window ? checkWindow("(every model)", options.window) : undefined;
  const windowOf = (model: string): ModelWindow | undefined => windows.get(bareModel(model)) ?? fallbackWindow;
  /** Wake-ups of requests that are waiting (latency, hang), so stop() can end them. */
  const waiting = new Set<() => void>();

  /** Resolves after `ms` (or never, for Infinity), or as soon as the client goes away or the server stops. */
  function wait(ms: number, req: Request): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        waiting.delete(done);
        if (timer) clearTimeout(timer);
        req.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      waiting.add(done);
      req.signal.addEventListener("abort", done, { once: true });
      if (req.signal.aborted) done();
    });
  }

  function authorized(req: Request): boolean {
    return options.apiKey === undefined || req.headers.get("authorization") === `Bearer ${options.apiKey}`;
  }

  function unauthorized(protocol: Protocol): Response {
    return protocol === "ollama"
      ? ollamaError(401, "unauthorized")
      : openaiError(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
  }

  async function chat(req: Request, protocol: Protocol): Promise<Response> {
    let raw: Record<string, unknown>;
    const body = await req.text();
    try {
      raw = JSON.parse(body) as Record<string, unknown>;
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      return protocol === "ollama" ? ollamaError(400, "invalid JSON body") : openaiError(400, "We could not parse the JSON body of your request.", "invalid_request_error", null);
    }
    const model = typeof raw.model === "string" ? raw.model : "";
    const messages = Array.isArray(raw.messages) ? (raw.messages as { role?: unknown; content?: unknown }[]) : [];
    const textOf = (role: string) => messages.filter((m) => m.role === role && typeof m.content === "string").map((m) => m.content as string).join("\n");
    const ollamaOptions = (raw.options ?? {}) as Record<string, unknown>;
    const format = protocol === "ollama" ? raw.format : raw.response_format;
    const temperature = protocol === "ollama" ? ollamaOptions.temperature : raw.temperature;
    const maxTokens = protocol === "ollama" ? ollamaOptions.num_predict : (raw.max_tokens ?? raw.max_completion_tokens);
    const numCtx = protocol === "ollama" && typeof ollamaOptions.num_ctx === "number" ? ollamaOptions.num_ctx : undefined;
    const system = textOf("system");
    const user = textOf("user");
    const modelWindow = windowOf(model);
    // A server that cuts silently (cutsAt) does so on either protocol; otherwise only Ollama cuts and vLLM refuses.
    const cuts = protocol === "ollama" || modelWindow?.cutsAt !== undefined;
    const window = modelWindow && (cuts ? ollamaWindow(modelWindow, numCtx) : modelWindow.contextTokens);
    const call: RecordedCall = {
      model,
      protocol,
      // Ollama streams unless told not to; OpenAI streams only when asked.
      stream: protocol === "ollama" ? raw.stream !== false : raw.stream === true,
      structured: format !== undefined && format !== null,
      ...(format !== undefined && format !== null ? { format } : {}),
      authorization: req.headers.has("authorization"),
      ...(typeof temperature === "number" ? { temperature } : {}),
      ...(typeof maxTokens === "number" ? { maxTokens } : {}),
      ...(numCtx !== undefined ? { numCtx } : {}),
      promptTokens: promptTokens([system, user].filter((m) => m !== ""), charsPerToken),
      ...(window !== undefined ? { window } : {}),
      truncated: false,
      overflowed: false,
      cutOff: false,
      system,
      user,
      body,
    };
    calls.push(call);

    if (!authorized(req)) return unauthorized(protocol);
    if (!script.has(model)) {
      const message = `model '${model}' not found`;
      return protocol === "ollama" ? ollamaError(404, message) : openaiError(404, message, "invalid_request_error", "model_not_found");
    }
    // vLLM checks the length before the model runs: a refused request draws no behaviour.
    const refusal = !cuts && modelWindow ? vllmOverflow(modelWindow, call.promptTokens, modelWindow.fillsWindow ? undefined : call.maxTokens) : null;
    if (refusal) {
      call.overflowed = true;
      return openaiError(400, refusal, "invalid_request_error", "context_length_exceeded");
    }
    const behaviour = script.next(model)!;
    call.behaviour = behaviour;
    if (latencyMs > 0) await wait(latencyMs, req);
    if (req.signal.aborted) return new Response(null, { status: 499 });

    switch (behaviour) {
      case "error500":
        return protocol === "ollama" ? ollamaError(500, "simulated internal server error") : openaiError(500, "The server had an error while processing your request.", "server_error", null);
      case "ratelimit":
        return protocol === "ollama"
          ? ollamaError(429, "too many requests", { "retry-after": "1" })
          : openaiError(429, "Rate limit reached; please try again in 1s.", "rate_limit_exceeded", "rate_limit_exceeded", { "retry-after": "1" });
      case "hang":
        await wait(Number.POSITIVE_INFINITY, req);
        return new Response(null, { status: 499 });
      case "stall-body":
      case "slow-body":
        // 200 and the headers at once, then a body that never completes: stalled after its first bytes, or one
        // byte a little at a time for ever (until the client goes away or the server stops).
        return endlessBody(protocol, call.stream, behaviour === "slow-body" ? SLOW_BODY_EVERY_MS : Number.POSITIVE_INFINITY, (ms) => wait(ms, req));
      default: {
        // Ollama cuts what does not fit from the front: the system prompt goes first, and a model without its
        // instructions answers as a chat model would, not with the forensic verdict.
        const read = cuts && window !== undefined ? ollamaRead(`${system}\n${user}`, call.promptTokens, window, charsPerToken) : undefined;
        call.truncated = read?.truncated ?? false;
        const scripted = isAnswerBehaviour(behaviour) ? behaviour : "good";
        const written = answerFor(call.truncated ? "thin" : scripted, call.truncated ? (read?.seen ?? user) : user);
        const asked = typeof maxTokens === "number" && maxTokens > 0 ? maxTokens : undefined;
        // The OpenAI protocol (vLLM) also stops where the window ends; Ollama shifts its context and goes on.
        const room = !cuts && window !== undefined ? window - call.promptTokens : undefined;
        const limited = limitAnswer(written, tightest(asked, modelWindow?.outputTokens, room), charsPerToken);
        call.cutOff = limited.finish === "length";
        const answer: Answer = { model, text: limited.text, tokensIn: read?.promptTokens ?? call.promptTokens, tokensOut: limited.tokens, finish: limited.finish };
        const ending: Ending = behaviour === "truncated-stream" ? "cut" : "complete";
        if (protocol === "ollama") return ollamaChat(answer, call.stream, ending);
        const includeUsage = (raw.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
        return openaiChat(answer, call.stream, includeUsage, ending);
      }
    }
  }

  /** Ollama's POST /api/show: the model's context length in model_info, 404 for a model it does not have. */
  async function show(req: Request): Promise<Response> {
    const raw = (await req.json().catch((e: unknown) => {
      if (e instanceof SyntaxError) return {};
      throw e;
    })) as { model?: unknown; name?: unknown };
    const model = typeof raw.model === "string" ? raw.model : typeof raw.name === "string" ? raw.name : "";
    if (!script.has(model)) return ollamaError(404, `model '${model}' not found`);
    return ollamaShow(model, windowOf(model)?.contextTokens);
  }

  async function route(req: Request): Promise<Response> {
    const { pathname } = new URL(req.url);
    switch (`${req.method} ${pathname}`) {
      case "GET /":
        return new Response("Ollama is running");
      case "GET /api/version":
        return ollamaVersion();
      case "GET /api/tags":
        return authorized(req) ? ollamaTags(script.models()) : unauthorized("ollama");
      case "POST /api/show":
        return authorized(req) ? show(req) : unauthorized("ollama");
      case "GET /v1/models":
        return authorized(req) ? openaiModels(script.models(), (m) => windowOf(m)?.contextTokens) : unauthorized("openai");
      case "POST /api/chat":
        return chat(req, "ollama");
      case "POST /v1/chat/completions":
        return chat(req, "openai");
      default:
        return new Response("404 page not found", { status: 404, headers: { "content-type": "text/plain" } });
    }
  }

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    // No idle timeout: "hang" must stay silent until the client gives up.
    idleTimeout: 0,
    // Development mode prints every errored response stream; truncation errors them on purpose.
    development: false,
    fetch: route,
    error(e) {
      // A truncated body ends by erroring its stream on purpose; anything else is a bug in the sim.
      if (!e.message.startsWith("sim: truncated")) console.error("sim-server:", e);
      return new Response(JSON.stringify({ error: `sim-server bug: ${e.message}` }), { status: 500, headers: { "content-type": "application/json" } });
    },
  });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    ollamaHost: url,
    openaiBaseUrl: `${url}/v1`,
    calls,
    async stop() {
      for (const wake of [...waiting]) wake();
      await server.stop(true);
    },
  };
}

const USAGE = `usage: bun scripts/sim-server.ts [--port N] [--latency MS] [--api-key-env VAR] [--window NAME=TOKENS[/OUTPUT]] ... [--context-tokens N] [--chars-per-token N] --model NAME=BEHAVIOUR[,BEHAVIOUR...] ...
behaviours: ${BEHAVIOURS.join(", ")}
BEHAVIOUR*N repeats one N times: --model m=ratelimit*2,good answers two 429s (Retry-After: 1), then a review.
--window gives one model a context window (and an output limit); --context-tokens gives every other model one.`;

/** `--model big=thin,good` → ["big", ["thin", "good"]]; the model name may hold ':' but not '='. */
export function parseModelArg(arg: string): [string, Behaviour[]] {
  const at = arg.lastIndexOf("=");
  if (at <= 0 || at === arg.length - 1) throw new TypeError(`Expected --model NAME=BEHAVIOUR[,BEHAVIOUR...], got "${arg}"`);
  const model = arg.slice(0, at);
  return [model, expandBehaviours(arg.slice(at + 1).split(",").map((b) => b.trim()), model)];
}

async function main(argv: string[]): Promise<void> {
  let server: SimServer;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string", default: "11434" },
        latency: { type: "string", default: "0" },
        model: { type: "string", multiple: true, default: [] },
        "api-key-env": { type: "string" },
        window: { type: "string", multiple: true, default: [] },
        "context-tokens": { type: "string" },
        "chars-per-token": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return;
    }
    if (values.model.length === 0) throw new TypeError("Expected at least one --model NAME=BEHAVIOUR");
    const behaviours = Object.fromEntries(values.model.map(parseModelArg));
    const keyVar = values["api-key-env"];
    const apiKey = keyVar ? process.env[keyVar] : undefined;
    if (keyVar && !apiKey) throw new TypeError(`--api-key-env names $${keyVar}, which is unset`);
    const context = values["context-tokens"];
    const density = values["chars-per-token"];
    server = await startSimServer({
      behaviours,
      port: Number(values.port),
      latencyMs: Number(values.latency),
      ...(apiKey ? { apiKey } : {}),
      windows: Object.fromEntries(values.window.map(parseWindowArg)),
      ...(context !== undefined ? { window: { contextTokens: Number(context) } } : {}),
      ...(density !== undefined ? { charsPerToken: Number(density) } : {}),
    });
  } catch (e) {
    console.error(`sim-server: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    process.exit(2);
  }
  console.log(`sim server listening on ${server.url}`);
  console.log(`  ollama host:     ${server.ollamaHost}`);
  console.log(`  openai base_url: ${server.openaiBaseUrl}`);
  const shutdown = () => void server.stop().then(() => process.exit(0));
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

if (import.meta.main) await main(Bun.argv.slice(2));
