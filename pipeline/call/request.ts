/** What a call to a rung is, before it is sent: its request shape (schema or not), its cache key and its price. */
import type { RungConfig } from "../config/config";
import type { CompletionRequest } from "../providers/provider";
import { shardRequestSchema } from "../verdict/verdict";

/** The structured-output schema a rung is sent, when it asks for one. */
export function schemaFor(rung: RungConfig): Record<string, unknown> | undefined {
  if (!rung.structured || rung.provider === "static") return undefined;
  // One schema for every provider; each turns it into its own wire form (OpenAI strict json_schema, Ollama `format`).
  return shardRequestSchema();
}

/** A shard request in the shape a rung wants: with the verdict schema for a structured rung, without it otherwise. */
export function shardRequestFor(rung: RungConfig, request: Omit<CompletionRequest, "schema">): CompletionRequest {
  const schema = schemaFor(rung);
  return schema ? { ...request, schema } : request;
}

/** The cache key of a request to a rung: what the model is asked, exactly (model, system, prompt, schema). */
export function promptKey(rung: RungConfig, request: CompletionRequest): string {
  const hasher = new Bun.CryptoHasher("sha256");
  // Each part is followed by a NUL, so no two lists of parts hash the same bytes.
  const part = (text: string) => hasher.update(text).update("\u0000");
  // The fence token is new in every request; the question it fences is not, so the key reads it as a constant.
  // Hashed piece by piece: the same bytes as the text with each token replaced, without copying the text.
  const { nonce } = request;
  const plain = (text: string) => {
    const pieces = nonce ? text.split(nonce) : [text];
    for (let i = 0; i < pieces.length; i++) hasher.update(i === 0 ? pieces[i]! : `\u0000nonce\u0000${pieces[i]!}`);
    hasher.update("\u0000");
  };
  part(rung.provider);
  part(rung.model);
  plain(request.system);
  plain(request.prompt);
  part(schemaText(request.schema));
  return hasher.digest("hex");
}

const schemaTexts = new WeakMap<object, string>();
/** The schema's JSON, once per schema object (every shard request carries the same frozen one). */
function schemaText(schema: Record<string, unknown> | undefined): string {
  if (schema === undefined) return "null";
  let text = schemaTexts.get(schema);
  if (text === undefined) schemaTexts.set(schema, (text = JSON.stringify(schema)));
  return text;
}

/** Cost of one call from the rung's per-million-token prices. */
export function costOf(rung: RungConfig, tokensIn: number, tokensOut: number): number {
  return (tokensIn * rung.costInPerMtok + tokensOut * rung.costOutPerMtok) / 1_000_000;
}
