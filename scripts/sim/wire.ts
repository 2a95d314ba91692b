/** The Ollama and OpenAI HTTP shapes the simulated server answers with: bodies, NDJSON and SSE streams, errors. */

export interface Answer {
  model: string;
  text: string;
  tokensIn: number;
  tokensOut: number;
  /** "length" when the output limit cut the answer off. */
  finish: "stop" | "length";
}

/** How the body ends: normally, or cut mid-way (the connection is reset; no final `done` / `[DONE]`). */
export type Ending = "complete" | "cut";

const encoder = new TextEncoder();

/** A body sent in pieces; "cut" sends the first `keep` pieces, then resets the connection. */
function body(pieces: string[], ending: Ending, keep: number): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async start(controller) {
      const sent = ending === "cut" ? pieces.slice(0, keep) : pieces;
      for (const p of sent) controller.enqueue(encoder.encode(p));
      if (ending === "complete") return controller.close();
      // Let the pieces reach the client first, then error the stream: Bun drops the socket mid-body.
      await Bun.sleep(15);
      controller.error(new Error("sim: truncated stream"));
    },
  });
}

function split(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [""];
}

function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}

// --- Ollama -------------------------------------------------------------------------------------------------

export function ollamaChat(a: Answer, stream: boolean, ending: Ending): Response {
  const created_at = new Date().toISOString();
  const final = {
    model: a.model,
    created_at,
    message: { role: "assistant", content: stream ? "" : a.text },
    done_reason: a.finish,
    done: true,
    total_duration: 1_000_000 * (a.tokensIn + a.tokensOut),
    load_duration: 1_000_000,
    prompt_eval_count: a.tokensIn,
    prompt_eval_duration: 500_000 * a.tokensIn,
    eval_count: a.tokensOut,
    eval_duration: 1_000_000 * a.tokensOut,
  };
  if (!stream) {
    const text = JSON.stringify(final);
    if (ending === "complete") return json(final);
    return new Response(body(split(text, 2), "cut", 1), { headers: { "content-type": "application/json; charset=utf-8" } });
  }
  const lines = split(a.text, 4).map((piece) => `${JSON.stringify({ model: a.model, created_at, message: { role: "assistant", content: piece }, done: false })}\n`);
  lines.push(`${JSON.stringify(final)}\n`);
  return new Response(body(lines, ending, 2), { headers: { "content-type": "application/x-ndjson" } });
}

export function ollamaError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return json({ error: message }, status, headers);
}

export function ollamaTags(models: string[]): Response {
  return json({
    models: models.map((m) => {
      const name = m.includes(":") ? m : `${m}:latest`;
      return {
        name,
        model: name,
        modified_at: "2025-01-01T00:00:00Z",
        size: 4_683_087_332,
        digest: `sim${Buffer.from(name).toString("hex").padEnd(61, "0").slice(0, 61)}`,
        details: { parent_model: "", format: "gguf", family: "sim", families: ["sim"], parameter_size: "7B", quantization_level: "Q4_K_M" },
      };
    }),
  });
}

/** POST /api/show: the model's details and model_info, with `<arch>.context_length` when the model has a window. */
export function ollamaShow(model: string, contextTokens: number | undefined): Response {
  return json({
    modelfile: `FROM ${model}`,
    parameters: "",
    template: "{{ .Prompt }}",
    details: { parent_model: "", format: "gguf", family: "sim", families: ["sim"], parameter_size: "7B", quantization_level: "Q4_K_M" },
    model_info: {
      "general.architecture": "sim",
      "general.parameter_count": 7_000_000_000,
      ...(contextTokens !== undefined ? { "sim.context_length": contextTokens } : {}),
    },
    capabilities: ["completion"],
    modified_at: "2025-01-01T00:00:00Z",
  });
}

export function ollamaVersion(): Response {
  return json({ version: "0.12.0-sim" });
}

// --- OpenAI -------------------------------------------------------------------------------------------------

export function openaiChat(a: Answer, stream: boolean, includeUsage: boolean, ending: Ending): Response {
  const id = `chatcmpl-sim-${crypto.randomUUID().slice(0, 8)}`;
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: a.tokensIn, completion_tokens: a.tokensOut, total_tokens: a.tokensIn + a.tokensOut };
  if (!stream) {
    const completion = {
      id,
      object: "chat.completion",
      created,
      model: a.model,
      choices: [{ index: 0, message: { role: "assistant", content: a.text, refusal: null }, logprobs: null, finish_reason: a.finish }],
      usage,
    };
    if (ending === "complete") return json(completion);
    return new Response(body(split(JSON.stringify(completion), 2), "cut", 1), { headers: { "content-type": "application/json" } });
  }
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: a.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
  const events = [chunk({ role: "assistant", content: "" }, null), ...split(a.text, 4).map((p) => chunk({ content: p }, null)), chunk({}, a.finish)];
  if (includeUsage) events.push(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: a.model, choices: [], usage })}\n\n`);
  events.push("data: [DONE]\n\n");
  return new Response(body(events, ending, 2), { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
}

export function openaiError(status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}): Response {
  return json({ error: { message, type, param: null, code } }, status, headers);
}

/** GET /v1/models; a model with a window lists it as vLLM does (`max_model_len`). */
export function openaiModels(models: string[], windowOf: (model: string) => number | undefined = () => undefined): Response {
  return json({
    object: "list",
    data: models.map((id) => {
      const window = windowOf(id);
      return { id, object: "model", created: 1_735_689_600, owned_by: "sim", ...(window !== undefined ? { max_model_len: window } : {}) };
    }),
  });
}

/**
 * A 200 whose body never completes: the protocol's first bytes, then one more byte every `everyMs` (or nothing more,
 * for Infinity) until `wait` resolves early because the client went away or the server stopped.
 */
export function endlessBody(protocol: "ollama" | "openai", stream: boolean, everyMs: number, wait: (ms: number) => Promise<void>): Response {
  const first = !stream ? "{" : protocol === "ollama" ? "{\"model\":\"sim\",\"message\":{\"role\":\"assistant\",\"content\":\"" : "data: {\"choices\":[{\"delta\":{\"content\":\"";
  const type = !stream ? "application/json; charset=utf-8" : protocol === "ollama" ? "application/x-ndjson" : "text/event-stream";
  let stopped = false;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(first));
      // A padding byte JSON allows anywhere between tokens, so the body stays a valid prefix however long it runs.
      while (!stopped) {
        const started = Date.now();
        await wait(everyMs);
        if (stopped || !Number.isFinite(everyMs) || Date.now() - started < everyMs - 5) break;
        controller.enqueue(encoder.encode(" "));
      }
      if (!stopped) controller.close();
    },
    cancel() {
      stopped = true;
    },
  });
  return new Response(body, { headers: { "content-type": type } });
}
