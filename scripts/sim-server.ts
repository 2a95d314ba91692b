/**
 * A simulated model server for tests, benchmarks and demos. It speaks the real Ollama HTTP API (/api/chat,
 * /api/tags, /api/version) and the OpenAI API (/v1/chat/completions, /v1/models) on 127.0.0.1, and answers each
 * call with a scripted behaviour per model: a forensic verdict about the code in the prompt, a thin or malformed
 * answer, an error status, no answer at all, or a connection cut mid-body.
 *
 *   bun scripts/sim-server.ts --port 11434 --model qwen2.5-coder:7b=good --model big=thin,good
 */
import { parseArgs } from "node:util";
import { answerFor } from "./sim/answers";
import { BEHAVIOURS, type Behaviour, BehaviourScript, isAnswerBehaviour, parseBehaviour } from "./sim/behaviours";
import { type Answer, type Ending, estimateTokens, ollamaChat, ollamaError, ollamaTags, ollamaVersion, openaiChat, openaiError, openaiModels } from "./sim/wire";

export type { Behaviour } from "./sim/behaviours";

export interface SimServerOptions {
  /** Behaviour per model name; a list is used in order per call, the last one repeating. */
  behaviours: Record<string, Behaviour | Behaviour[]>;
  /** Delay before every chat answer. Default 0. */
  latencyMs?: number;
  /** Default 0: a free port. */
  port?: number;
  /** When set, chat and model-list requests must carry `Authorization: Bearer <apiKey>`, else 401. */
  apiKey?: string;
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
  system: string;
  user: string;
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
    try {
      raw = (await req.json()) as Record<string, unknown>;
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
      system: textOf("system"),
      user: textOf("user"),
    };
    calls.push(call);

    if (!authorized(req)) return unauthorized(protocol);
    const behaviour = script.next(model);
    if (!behaviour) {
      const message = `model '${model}' not found`;
      return protocol === "ollama" ? ollamaError(404, message) : openaiError(404, message, "invalid_request_error", "model_not_found");
    }
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
      default: {
        const text = answerFor(isAnswerBehaviour(behaviour) ? behaviour : "good", call.user);
        const answer: Answer = { model, text, tokensIn: estimateTokens(call.system + call.user), tokensOut: estimateTokens(text) };
        const ending: Ending = behaviour === "truncated-stream" ? "cut" : "complete";
        if (protocol === "ollama") return ollamaChat(answer, call.stream, ending);
        const includeUsage = (raw.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
        return openaiChat(answer, call.stream, includeUsage, ending);
      }
    }
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
      case "GET /v1/models":
        return authorized(req) ? openaiModels(script.models()) : unauthorized("openai");
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

const USAGE = `usage: bun scripts/sim-server.ts [--port N] [--latency MS] [--api-key-env VAR] --model NAME=BEHAVIOUR[,BEHAVIOUR...] ...
behaviours: ${BEHAVIOURS.join(", ")}`;

/** `--model big=thin,good` → ["big", ["thin", "good"]]; the model name may hold ':' but not '='. */
export function parseModelArg(arg: string): [string, Behaviour[]] {
  const at = arg.lastIndexOf("=");
  if (at <= 0 || at === arg.length - 1) throw new TypeError(`Expected --model NAME=BEHAVIOUR[,BEHAVIOUR...], got "${arg}"`);
  const model = arg.slice(0, at);
  return [model, arg.slice(at + 1).split(",").map((b) => parseBehaviour(b.trim(), model))];
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
    server = await startSimServer({
      behaviours,
      port: Number(values.port),
      latencyMs: Number(values.latency),
      ...(apiKey ? { apiKey } : {}),
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
