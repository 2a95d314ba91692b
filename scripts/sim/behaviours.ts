/** What the simulated model server can be told to do on a call, per model. */
import { isNoisyBehaviour, MEASURE_BEHAVIOURS, type NoisyBehaviour } from "./noisy";
import { VERIFY_BEHAVIOURS } from "./verify";

/** Behaviours that decide the answer text; the server wraps it in the protocol's normal response. */
export const ANSWER_BEHAVIOURS = [
  "good",
  "good-fenced-chatter",
  "thin",
  "thin-json",
  "empty",
  "markdown",
  "malformed",
  "shard-relative",
  "invent-evidence",
  "obey-injection",
  "reduce-good",
  "reduce-drop-shard",
  "reduce-invent",
  ...MEASURE_BEHAVIOURS,
  ...VERIFY_BEHAVIOURS,
] as const;

/**
 * Behaviours that break the transport: an error status, no answer, a cut connection, and two hostile bodies: the
 * status and headers arrive, then the body stalls for good (`stall-body`) or trickles a byte at a time and never ends
 * (`slow-body`). A client whose timeout covers only the headers waits on either forever.
 */
export const TRANSPORT_BEHAVIOURS = ["error500", "ratelimit", "hang", "truncated-stream", "stall-body", "slow-body"] as const;

export const BEHAVIOURS = [...ANSWER_BEHAVIOURS, ...TRANSPORT_BEHAVIOURS] as const;

/** `noisy:HIT:FALSE:SEED` is a family of answer behaviours (scripts/sim/noisy.ts), named with its parameters. */
export type AnswerBehaviour = (typeof ANSWER_BEHAVIOURS)[number] | NoisyBehaviour;
export type TransportBehaviour = (typeof TRANSPORT_BEHAVIOURS)[number];
export type Behaviour = (typeof BEHAVIOURS)[number] | NoisyBehaviour;

export function isBehaviour(name: string): name is Behaviour {
  return (BEHAVIOURS as readonly string[]).includes(name) || isNoisyBehaviour(name);
}

export function isAnswerBehaviour(b: Behaviour): b is AnswerBehaviour {
  return (ANSWER_BEHAVIOURS as readonly string[]).includes(b) || isNoisyBehaviour(b);
}

/** Check a behaviour name with a message that lists the valid ones. */
export function parseBehaviour(name: string, model: string): Behaviour {
  if (isBehaviour(name)) return name;
  throw new TypeError(`Expected a behaviour for model "${model}" from: ${BEHAVIOURS.join(", ")}, noisy[:HIT[:FALSE[:SEED]]]; got "${name}"`);
}

/** `ratelimit*3` → three `ratelimit`s: a script of N failures then an answer reads `ratelimit*2,good`. */
export function expandBehaviours(names: string[], model: string): Behaviour[] {
  return names.flatMap((name) => {
    const m = /^(.+)\*(\d+)$/.exec(name);
    if (!m) return [parseBehaviour(name, model)];
    const times = Number(m[2]);
    if (times < 1 || times > 10_000) throw new TypeError(`Expected a repeat count from 1 to 10000 for model "${model}", got "${name}"`);
    return Array<Behaviour>(times).fill(parseBehaviour(m[1]!, model));
  });
}

/** Hands out each model's behaviours in order; the last one repeats. */
export class BehaviourScript {
  private readonly used = new Map<string, number>();
  private readonly script: Map<string, Behaviour[]>;

  constructor(behaviours: Record<string, Behaviour | Behaviour[]>) {
    this.script = new Map();
    for (const [model, b] of Object.entries(behaviours)) {
      const list = expandBehaviours(Array.isArray(b) ? b : [b], model);
      if (list.length === 0) throw new TypeError(`Expected at least one behaviour for model "${model}"`);
      this.script.set(bareModel(model), list);
    }
  }

  /** The served model names, as /api/tags and /v1/models list them. */
  models(): string[] {
    return [...this.script.keys()];
  }

  has(model: string): boolean {
    return this.script.has(bareModel(model));
  }

  /** The behaviour for the next call to `model`; undefined for an unknown model. */
  next(model: string): Behaviour | undefined {
    const key = bareModel(model);
    const list = this.script.get(key);
    if (!list) return undefined;
    const n = this.used.get(key) ?? 0;
    this.used.set(key, n + 1);
    return list[Math.min(n, list.length - 1)];
  }
}

/** Like Ollama, `big` and `big:latest` are the same model. */
export function bareModel(name: string): string {
  return name.endsWith(":latest") ? name.slice(0, -":latest".length) : name;
}
