/**
 * The forensic verdict's validators (Ajv over the JSON files generated from domain/verdict-schema.ts) and the shard
 * schema as structured requests carry it. The types themselves are the domain's (domain/verdict.ts).
 */
import Ajv2020 from "ajv/dist/2020";
import type { ErrorObject, ValidateFunction } from "ajv";
import { FINDING_CATEGORIES, OWN_FINDING_KEYS, type FileVerdict, type Finding, type FindingCategory, type ShardVerdict, type ShardVerdictAnswer } from "../../domain/verdict";
import { toStrictSchema } from "../providers/strict-schema";
import shardSchema from "./verdict.schema.json";
import fileSchema from "./file-verdict.schema.json";

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

// Compiled on first use, not at import: most commands never validate a verdict, and compiling costs cold start.
let validators: { shard: ValidateFunction<ShardVerdictAnswer>; file: ValidateFunction<FileVerdict> } | undefined;
function compiled(): NonNullable<typeof validators> {
  if (!validators) {
    // discriminator: a shard review's oneOf is picked by its status (domain/verdict-schema.ts).
    const ajv = new Ajv2020({ allErrors: true, strict: true, discriminator: true });
    validators = { shard: ajv.compile<ShardVerdictAnswer>(shardSchema), file: ajv.compile<FileVerdict>(fileSchema) };
  }
  return validators;
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
}

/** Validate a parsed answer against the shard verdict schema; absent finding lists become explicit empty lists. */
export function validateShardVerdict(value: unknown): Validation<ShardVerdict> {
  const { shard } = compiled();
  if (!shard(value)) return { ok: false, errors: describe(shard.errors) };
  const lists = Object.fromEntries(FINDING_CATEGORIES.map((c) => [c, value[c] ?? []])) as Record<FindingCategory, Finding[]>;
  return { ok: true, value: { ...value, ...lists, required_next_actions: value.required_next_actions ?? [] } };
}

/** Validate a file verdict before it is stored. */
export function validateFileVerdict(value: unknown): Validation<FileVerdict> {
  const { file } = compiled();
  if (!file(value)) return { ok: false, errors: describe(file.errors) };
  return { ok: true, value };
}

/**
 * The shard schema a structured request carries: plain JSON Schema without meta keys, and without what only our own
 * code fills in (OWN_FINDING_KEYS: a strict-mode model would have to invent a rule id). Each provider turns it into its
 * own wire form (providers/openai.ts: strict json_schema; providers/ollama.ts: `format` as it is).
 */
export function shardRequestSchema(): Record<string, unknown> {
  // Built once and frozen: every shard request carries it, and the cache key hashes it.
  requestSchema ??= deepFreeze(
    (() => {
      const s = structuredClone(shardSchema) as Record<string, unknown> & { $defs: { finding: { properties: Record<string, unknown> } } };
      delete s.$schema;
      delete s.$id;
      for (const key of OWN_FINDING_KEYS) delete s.$defs.finding.properties[key];
      return s;
    })(),
  );
  return requestSchema;
}

let requestSchema: Record<string, unknown> | undefined;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The shard schema as Ollama's `format` receives it: the request schema unchanged. */
export function shardSchemaForFormat(): Record<string, unknown> {
  return shardRequestSchema();
}

/** The shard schema in OpenAI strict structured-output form, as providers/openai.ts sends it (with its numeric bounds). */
export function strictShardSchema(): Record<string, unknown> {
  return toStrictSchema(shardRequestSchema(), "bounds");
}
