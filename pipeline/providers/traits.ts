/**
 * What a server was found to accept, learnt from its own answers rather than guessed: the request shape that carries
 * the forensic schema, whether its chat template keeps a system message, and its context window. A TraitBook holds
 * them per server and model for a process; the KB keeps them across runs (the caller wires `onLearn` to it).
 */
import type { StructuredShape } from "../config/config";
import type { CompletionRequest } from "./provider";
import { BOUND_KEYWORDS } from "./strict-schema";

/** The shapes in the order `auto` tries them: the strongest the server enforces first, the prompt alone last. */
export const SHAPE_ORDER: readonly StructuredShape[] = ["json_schema", "json_object", "none"];

export interface ServerTraits {
  /** The request shape the server accepted (or the one it fell back to after a refusal). */
  shape?: StructuredShape;
  /** false: the chat template drops the system message, so the system prompt goes into the user message. */
  systemRole?: boolean;
  /** The window the server says it has (its listing, its props, or its own overflow error). */
  window?: number;
}

export type TraitName = keyof ServerTraits;

/** One thing learnt about a server, as the KB stores it. */
export interface LearntTrait {
  server: string;
  model: string;
  trait: TraitName;
  value: string;
  reason: string;
}

/** The traits of every server of a process; `onLearn` hears each change once (not the same value again). */
export class TraitBook {
  private readonly known = new Map<string, ServerTraits>();
  private readonly noBounds = new Set<string>();
  constructor(private readonly onLearn: (learnt: LearntTrait) => void = () => {}) {}

  /** Seed from what the KB remembers, without telling the listener (it is already stored). */
  seed(rows: Iterable<Omit<LearntTrait, "reason">>): this {
    for (const r of rows) {
      const parsed = parseTrait(r.trait, r.value);
      if (parsed !== undefined) this.known.set(key(r.server, r.model), { ...this.get(r.server, r.model), [r.trait]: parsed });
    }
    return this;
  }

  get(server: string, model: string): ServerTraits {
    return this.known.get(key(server, model)) ?? {};
  }

  /**
   * Whether the server refused the numeric bounds of a json_schema this process (it named one of BOUND_KEYWORDS in a
   * format refusal). Not stored in the KB: relearning costs one quick refusal per run, and a server upgraded since
   * gets its bounds back.
   */
  boundsRefused(server: string, model: string): boolean {
    return this.noBounds.has(key(server, model));
  }

  refuseBounds(server: string, model: string): void {
    this.noBounds.add(key(server, model));
  }

  /** Record a trait; said to the listener only when it changes. */
  learn<T extends TraitName>(server: string, model: string, trait: T, value: NonNullable<ServerTraits[T]>, reason: string): void {
    const before = this.get(server, model);
    if (before[trait] === value) return;
    this.known.set(key(server, model), { ...before, [trait]: value });
    this.onLearn({ server, model, trait, value: String(value), reason });
  }
}

function key(server: string, model: string): string {
  return `${server}\u0000${model}`;
}

function parseTrait(trait: string, value: string): ServerTraits[TraitName] | undefined {
  if (trait === "shape") return (SHAPE_ORDER as readonly string[]).includes(value) ? (value as StructuredShape) : undefined;
  if (trait === "systemRole") return value === "true" ? true : value === "false" ? false : undefined;
  if (trait === "window") return /^\d+$/.test(value) ? Number(value) : undefined;
  return undefined;
}

/** The shape to try after `shape` was refused; null after the last. */
export function nextShape(shape: StructuredShape): StructuredShape | null {
  return SHAPE_ORDER[SHAPE_ORDER.indexOf(shape) + 1] ?? null;
}

/**
 * Whether an error answer says the requested output format is what the server cannot take: llama-cpp-python's 500
 * "Input should be 'text' or 'json_object'", OpenAI's 400 "'response_format' of type 'json_schema' is not supported
 * with this model", LM Studio's "'response_format.type' must be 'json_schema'", an old Ollama's refusal of a schema
 * `format`. A refusal of anything else (the model, the window, the key) is not this.
 */
export function formatRefused(status: number | undefined, text: string): boolean {
  if (status === undefined || status < 400) return false;
  if (!/response_format|json_schema|json_object|structured output|guided_(json|decoding)|\bformat\b/i.test(text)) return false;
  return /not supported|unsupported|should be|must be|invalid|unknown|unrecognized|not permitted|extra (inputs|fields)|cannot unmarshal|not allowed/i.test(text);
}

/** Whether a format refusal names a numeric bound keyword (OpenAI's strict mode on some endpoints: "'minimum' is not permitted"). */
export function boundsNamed(text: string): boolean {
  return BOUNDS_NAMED.test(text);
}

const BOUNDS_NAMED = new RegExp(`\\b(${BOUND_KEYWORDS.join("|")})\\b`);

/** A model still loading its weights (Ollama's cold start, llama.cpp's "Loading model"): 503 that is worth waiting for. */
export function stillLoading(status: number | undefined, text: string): boolean {
  return status === 503 && /loading/i.test(text);
}

/** The request with its system prompt moved into the user message, for templates without a system role. */
export function withoutSystemRole(request: CompletionRequest): CompletionRequest {
  if (!request.system) return request;
  return { ...request, system: "", prompt: `${request.system}\n\n---\n\n${request.prompt}` };
}

/**
 * The chat messages of a request: a system message and the user's, or (systemRole false) one user message that leads
 * with the system prompt.
 */
export function chatMessages(request: CompletionRequest, systemRole: boolean): { role: "system" | "user"; content: string }[] {
  const sent = systemRole ? request : withoutSystemRole(request);
  return [...(sent.system ? [{ role: "system" as const, content: sent.system }] : []), { role: "user" as const, content: sent.prompt }];
}

/**
 * Whether the tokens a server read suggest its template dropped the system message: fewer than half of what the
 * system prompt and user prompt hold at the conservative chars rule (which over-counts by at most half), while the
 * user prompt alone would explain the count. Confirmed by re-sending with the system prompt merged, never assumed.
 */
export function systemLooksDropped(request: CompletionRequest, promptTokens: number | undefined, count: (text: string) => number): boolean {
  if (!request.system || promptTokens === undefined || promptTokens <= 0) return false;
  const system = count(request.system);
  const user = count(request.prompt);
  // A short system message is within the noise of the count: only one that matters is checked.
  if (system < MIN_SYSTEM_TOKENS) return false;
  return promptTokens < (system + user) * 0.5 && promptTokens <= user * 1.2 + 64;
}

/** System prompts shorter than this are not checked for being dropped (the shipped forensic prompt is ~2,000). */
const MIN_SYSTEM_TOKENS = 200;

/** A second read this much larger than the first confirms the system prompt was dropped the first time. */
export const SYSTEM_CONFIRM_RATIO = 1.3;
