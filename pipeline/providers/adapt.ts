/**
 * One server call fitted to what the server accepts, the same for every client: the request shape (`auto` falls back
 * json_schema → json_object → none when the server says the format is unsupported, once, remembered; a json_schema
 * refused for its numeric bounds is sent again without them first), the system
 * message (merged into the user message for templates without a system role, detected by the tokens read), a model
 * still loading (waited for within the rung's timeout), and the window a server's overflow error names.
 */
import type { RungConfig, StructuredShape } from "../config/config";
import { ProviderError } from "../../domain/errors";
import { abortableSleep } from "./abortable-sleep";
import { countByChars } from "../review/tokens";
import type { Completion, CompletionRequest } from "./provider";
import { boundsNamed, formatRefused, nextShape, stillLoading, systemLooksDropped, SYSTEM_CONFIRM_RATIO, TraitBook } from "./traits";

/**
 * How one client sends one request in a given shape, with or without a system message; `bounds` false: a json_schema
 * without its numeric bounds (the server refused them).
 */
export type SendShaped = (request: CompletionRequest, shape: StructuredShape, systemRole: boolean, signal: AbortSignal, bounds: boolean) => Promise<Completion>;

export interface AdaptOptions {
  server: string;
  rung: RungConfig;
  /** Names the rung and server in messages. */
  where: string;
  traits: TraitBook;
  now: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Poll a loading model this often (Ollama and llama.cpp load in seconds to a minute). */
const LOADING_POLL_MS = 2000;

/** Send `request` the way the server takes it; throws ProviderError as the client does for every other failure. */
export async function completeAdapted(options: AdaptOptions, request: CompletionRequest, signal: AbortSignal, send: SendShaped): Promise<Completion> {
  const { server, rung, where, traits, now } = options;
  const sleep = options.sleep ?? abortableSleep;
  const known = traits.get(server, rung.model);
  // The ladder sends a schema only to a rung that wants one (schemaFor, pipeline/call/request.ts); which shape carries it is decided here.
  const mode = rung.shape ?? "auto";
  let shape: StructuredShape = !request.schema ? "none" : mode === "auto" ? (known.shape ?? "json_schema") : mode;
  const systemRole = rung.systemRole ?? known.systemRole ?? true;
  let bounds = !traits.boundsRefused(server, rung.model);
  const deadline = now() + rung.timeoutMs;
  let waitedMs = 0;
  for (;;) {
    let completion: Completion;
    try {
      completion = await send(request, shape, systemRole, signal, bounds);
    } catch (e) {
      if (signal.aborted || !(e instanceof ProviderError)) throw e;
      if (e.kind === "context_overflow" && e.window !== undefined) {
        traits.learn(server, rung.model, "window", e.window, `the server's overflow error names a window of ${e.window} tokens`);
      }
      // A model loading its weights is not a failing server: wait for it within the rung's timeout.
      if (stillLoading(e.status, e.message) && now() + LOADING_POLL_MS < deadline) {
        await sleep(LOADING_POLL_MS, signal);
        waitedMs += LOADING_POLL_MS;
        continue;
      }
      const refused = shape !== "none" && (e.kind === "http" || e.kind === "invalid") && formatRefused(e.status, e.message);
      // The same shape without the bounds it named, before any other shape: the server may enforce everything else.
      if (refused && shape === "json_schema" && bounds && boundsNamed(e.message)) {
        traits.refuseBounds(server, rung.model);
        bounds = false;
        continue;
      }
      if (refused) {
        const next = nextShape(shape);
        if (mode !== "auto" || next === null) {
          throw new ProviderError("invalid", `${where}: the server refuses structured = "${shape}" (${e.message}); set structured = "auto" to let scrum find a shape it accepts`, {
            ...(e.status !== undefined ? { status: e.status } : {}),
          });
        }
        traits.learn(server, rung.model, "shape", next, `structured = "${shape}" refused (${e.message.slice(0, 160)})`);
        shape = next;
        continue;
      }
      throw e;
    }
    if (request.schema && mode === "auto") traits.learn(server, rung.model, "shape", shape, `structured = "${shape}" answered`);
    const withWait = waitedMs > 0 ? { ...completion, latencyMs: completion.latencyMs + waitedMs } : completion;
    if (!systemRole || rung.systemRole !== undefined || known.systemRole !== undefined) return withWait;
    return confirmSystemRole(options, request, shape, bounds, withWait, signal, send);
  }
}

/**
 * A server that read fewer tokens than the user prompt and system prompt hold is asked once more with the system
 * prompt in the user message. Reading clearly more then means the template dropped the system message: remembered
 * (`systemRole` false) and the second answer used. Both calls' tokens and time are counted.
 */
async function confirmSystemRole(options: AdaptOptions, request: CompletionRequest, shape: StructuredShape, bounds: boolean, first: Completion, signal: AbortSignal, send: SendShaped): Promise<Completion> {
  const { server, rung, traits } = options;
  if (!request.system || first.promptTokens === undefined || first.promptTokens <= 0) return first;
  if (!systemLooksDropped(request, first.promptTokens, countByChars)) {
    traits.learn(server, rung.model, "systemRole", true, `read ${first.promptTokens} prompt tokens with the system message in its own role`);
    return first;
  }
  const second = await send(request, shape, false, signal, bounds);
  const sum = { tokensIn: first.tokensIn + second.tokensIn, tokensOut: first.tokensOut + second.tokensOut, latencyMs: first.latencyMs + second.latencyMs };
  const read = second.promptTokens ?? 0;
  if (read >= first.promptTokens * SYSTEM_CONFIRM_RATIO) {
    traits.learn(server, rung.model, "systemRole", false, `the chat template drops the system message: ${first.promptTokens} prompt tokens read with it, ${read} with it in the user message`);
    return { ...second, ...sum };
  }
  traits.learn(server, rung.model, "systemRole", true, `the system message is kept (${first.promptTokens} then ${read} prompt tokens read); the prompt was cut for another reason`);
  return { ...first, ...sum };
}
