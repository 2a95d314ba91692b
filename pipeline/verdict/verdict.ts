/** The forensic verdict: types, the Ajv validators built from the JSON schemas next to this file. */
import Ajv2020 from "ajv/dist/2020";
import type { ErrorObject, ValidateFunction } from "ajv";
import shardSchema from "./verdict.schema.json";
import fileSchema from "./file-verdict.schema.json";

export type Verdict = "pass" | "fail" | "needs_patch";
export type FileVerdictState = Verdict | "unreviewed";
export type Severity = "high" | "medium" | "low";

/** The seven finding lists, in the order of the audit passes; `required_next_actions` is the eighth. */
export const FINDING_CATEGORIES = [
  "critical_failures",
  "pseudocode_flags",
  "prd_mismatches",
  "broken_pipelines",
  "missing_components",
  "risk_points",
  "verified_components",
] as const;
export type FindingCategory = (typeof FINDING_CATEGORIES)[number];

export interface Finding {
  title: string;
  evidence: string;
  line_start: number;
  line_end: number;
  severity: Severity;
  confidence: number;
  /** The deterministic rule behind the finding (static rung, injection check); absent for a model's finding. */
  rule?: string;
  /** Consensus: how many answers reported it, and their rungs (set by pipeline/review/consensus.ts, never by a model). */
  agreement?: number;
  agreed_by?: string[];
}

export interface NextAction {
  action: string;
  priority: Severity;
  confidence: number;
}

/** One shard's verdict, as a reviewer returns it (after absent lists are made explicit). */
export type ShardVerdict = {
  verdict: Verdict;
  alignment_score: number;
  summary: string;
  required_next_actions: NextAction[];
} & Record<FindingCategory, Finding[]>;

/** A shard verdict with every list empty: the starting point for verdicts built in code (static rung, markdown reviews). */
export function emptyShardVerdict(verdict: Verdict, alignment_score: number, summary: string): ShardVerdict {
  const lists = Object.fromEntries(FINDING_CATEGORIES.map((c) => [c, [] as Finding[]])) as Record<FindingCategory, Finding[]>;
  return { verdict, alignment_score, summary, ...lists, required_next_actions: [] };
}

export interface FileFinding extends Finding {
  fingerprint: string;
  evidence_verified: boolean;
  /** The shard whose review produced the finding. */
  shard: number;
  /** The enclosing symbol (from the shard plan) the finding sits in. */
  symbol?: string;
  /** How many consensus answers reported it. */
  agreement?: number;
}

export interface ShardReview {
  index: number;
  line_start: number;
  line_end: number;
  status: "reviewed" | "unreviewed";
  rung?: string;
  model?: string;
  verdict?: Verdict;
  /** The shard review's own summary (reviewed shards). */
  summary?: string;
  reasons?: string[];
}

/** The stored verdict of one file: shard verdicts reduced, plus what proves what was looked at. */
export type FileVerdict = {
  path: string;
  verdict: FileVerdictState;
  alignment_score: number | null;
  summary: string;
  required_next_actions: (NextAction & { shard?: number })[];
  shards: number;
  coverage: number[];
  coverage_complete: boolean;
  shard_reviews: ShardReview[];
  reduced_by: string;
  /** Findings a user dismissed: out of the lists and the verdict, kept for the record. */
  dismissed?: (FileFinding & { category: FindingCategory; dismissal_id: number })[];
} & Record<FindingCategory, FileFinding[]>;

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validateShard = ajv.compile(shardSchema) as ValidateFunction<ShardVerdict>;
const validateFile = ajv.compile(fileSchema) as ValidateFunction<FileVerdict>;

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
}

/** Validate a parsed answer against the shard verdict schema; absent finding lists become explicit empty lists. */
export function validateShardVerdict(value: unknown): Validation<ShardVerdict> {
  if (!validateShard(value)) return { ok: false, errors: describe(validateShard.errors) };
  const v = value as Partial<ShardVerdict> & Pick<ShardVerdict, "verdict" | "alignment_score" | "summary">;
  const out = { ...v, required_next_actions: v.required_next_actions ?? [] } as ShardVerdict;
  for (const c of FINDING_CATEGORIES) out[c] = v[c] ?? [];
  return { ok: true, value: out };
}

/** Validate a file verdict before it is stored. */
export function validateFileVerdict(value: unknown): Validation<FileVerdict> {
  if (!validateFile(value)) return { ok: false, errors: describe(validateFile.errors) };
  return { ok: true, value: value as FileVerdict };
}

/** The shard schema in OpenAI strict structured-output form: every property required, no extra properties. */
export function strictShardSchema(): Record<string, unknown> {
  return toStrict(modelFacingSchema());
}

/** The shard schema as sent to Ollama's `format` (plain JSON schema, no meta keys). */
export function shardSchemaForFormat(): Record<string, unknown> {
  const s = modelFacingSchema();
  delete s.$schema;
  delete s.$id;
  return s;
}

/** The shard schema without what only our own rules fill in (`rule`): strict mode would make a model invent one. */
function modelFacingSchema(): Record<string, unknown> {
  const s = structuredClone(shardSchema) as unknown as { $defs: { finding: { properties: Record<string, unknown> } } };
  delete s.$defs.finding.properties.rule;
  return s as unknown as Record<string, unknown>;
}

function toStrict(node: Record<string, unknown>): Record<string, unknown> {
  delete node.$schema;
  delete node.$id;
  delete node.title;
  delete node.description;
  // Strict mode rejects numeric range keywords on some endpoints; Ajv still enforces them after.
  delete node.minimum;
  delete node.maximum;
  delete node.minLength;
  if (node.properties && typeof node.properties === "object") {
    const props = node.properties as Record<string, Record<string, unknown>>;
    node.required = Object.keys(props);
    node.additionalProperties = false;
    for (const p of Object.values(props)) toStrict(p);
  }
  if (node.items && typeof node.items === "object") toStrict(node.items as Record<string, unknown>);
  if (node.$defs && typeof node.$defs === "object") {
    for (const d of Object.values(node.$defs as Record<string, Record<string, unknown>>)) toStrict(d);
  }
  if (node.enum) node.type = "string";
  return node;
}
