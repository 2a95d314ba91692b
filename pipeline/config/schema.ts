/**
 * The routing.toml schema, the single source of truth: config.ts derives the raw config's type from it, and
 * scripts/gen-schemas.ts writes it to config/routing.schema.json (shipped for editors, loaded by Ajv at run time);
 * tests/config/schema.test.ts keeps the two equal. Add a key here, then run `bun scripts/gen-schemas.ts`.
 */
import { Type } from "@sinclair/typebox";
import { DefRef, StringEnum } from "../../domain/schema-builders";

const glob = Type.String({ minLength: 1 });
const url = Type.String({ pattern: "^https?://" });
/** The longest timeout a key may set: a day. Beyond 2^31 ms a timer fires at once (3,000,000 s became 1 ms). */
const MAX_TIMEOUT_S = 86_400;

export const RungSchema = Type.Object(
  {
    name: Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$" }),
    provider: StringEnum(["ollama", "openai", "static"]),
    model: Type.Optional(Type.String({ minLength: 1 })),
    host: Type.Optional(url),
    hosts: Type.Optional(Type.Array(url, { minItems: 1 })),
    base_url: Type.Optional(url),
    base_urls: Type.Optional(Type.Array(url, { minItems: 1 })),
    api_key_env: Type.Optional(Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$" })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
    requests_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    tokens_per_minute: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })),
    timeout_s: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: MAX_TIMEOUT_S })),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    // true = "auto", false = "none" (the boolean of earlier configs, still accepted).
    structured: Type.Optional(Type.Union([Type.Boolean(), StringEnum(["auto", "json_schema", "json_object", "none"])])),
    system_role: Type.Optional(Type.Boolean()),
    cloud: Type.Optional(Type.Boolean()),
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    max_output_tokens: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
    context_tokens: Type.Optional(Type.Integer({ minimum: 512, maximum: 100_000_000 })),
    cost_in_per_mtok: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000 })),
    cost_out_per_mtok: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);

export const ProbeSchema = Type.Object(
  {
    name: Type.String({ pattern: "^[a-z][a-z0-9_]*$" }),
    pattern: Type.Optional(Type.String({ minLength: 1 })),
    include: Type.Optional(Type.Array(glob)),
    command: Type.Optional(Type.String({ minLength: 1 })),
    timeout_s: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: MAX_TIMEOUT_S })),
  },
  // config.ts explains a failed oneOf as 'needs exactly one of "pattern" or "command"'.
  { additionalProperties: false, oneOf: [{ required: ["pattern"] }, { required: ["command"] }] },
);

/** routing.toml as parsed by smol-toml; every section optional except `[[ladder]]`. Defaults live in config.ts. */
export const RoutingSchema = Type.Object(
  {
    sweep: Type.Optional(
      Type.Object(
        {
          include: Type.Optional(Type.Array(glob, { minItems: 1 })),
          exclude: Type.Optional(Type.Array(glob)),
          max_file_bytes: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
          shard_threshold_chars: Type.Optional(Type.Integer({ minimum: 200, maximum: 10_000_000 })),
          max_shard_chars: Type.Optional(Type.Integer({ minimum: 200, maximum: 10_000_000 })),
          respect_gitignore: Type.Optional(Type.Boolean()),
          skip_vendored: Type.Optional(Type.Boolean()),
          max_inflight_chars: Type.Optional(Type.Integer({ minimum: 1000, maximum: 1_000_000_000 })),
        },
        { additionalProperties: false },
      ),
    ),
    prompts: Type.Optional(
      Type.Object(
        {
          system: Type.Optional(Type.String({ minLength: 1 })),
          reduce: Type.Optional(Type.String({ minLength: 1 })),
          proposal: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    ladder: Type.Array(DefRef("rung", RungSchema), { minItems: 1 }),
    reduce: Type.Optional(Type.Object({ rung: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false })),
    accept: Type.Optional(Type.Object({ min_chars: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })) }, { additionalProperties: false })),
    gradient: Type.Optional(
      Type.Object(
        {
          block_below: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
          review_below: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
        },
        { additionalProperties: false },
      ),
    ),
    probe: Type.Optional(Type.Array(ProbeSchema)),
    gate: Type.Optional(Type.Object({ command: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false })),
    budget: Type.Optional(
      Type.Object(
        {
          max_cost_usd: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000_000 })),
          max_tokens: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000_000 })),
        },
        { additionalProperties: false },
      ),
    ),
    consensus: Type.Optional(
      Type.Object(
        {
          rungs: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, uniqueItems: true })),
          samples: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })),
          min_agree: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          line_tolerance: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
        },
        { additionalProperties: false },
      ),
    ),
    verify: Type.Optional(
      Type.Object(
        {
          rung: Type.Optional(Type.String({ minLength: 1 })),
          min_severity: Type.Optional(StringEnum(["high", "medium", "low"])),
          max_per_file: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          context_lines: Type.Optional(Type.Integer({ minimum: 0, maximum: 200 })),
          static: Type.Optional(Type.Boolean()),
          skip_when_trusted: Type.Optional(Type.Boolean()),
          min_judged: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
        },
        { additionalProperties: false },
      ),
    ),
    observer: Type.Optional(
      Type.Object(
        {
          url,
          max_queue: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
          timeout_s: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 60 })),
        },
        { additionalProperties: false },
      ),
    ),
    instructions: Type.Optional(
      Type.Array(Type.Object({ paths: Type.Array(glob, { minItems: 1 }), file: Type.String({ minLength: 1 }) }, { additionalProperties: false })),
    ),
    // `[static] raise`: static rules this repository promotes to the severity they claim (docs/STATIC.md); config.ts checks the names.
    static: Type.Optional(
      Type.Object({ raise: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true })) }, { additionalProperties: false }),
    ),
  },
  {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://scrumloop.dev/schema/routing.json",
    title: "scrumloop routing.toml",
    description:
      "The config of scrum: what to sweep, the model ladder, acceptance, tiers, probes and the gate. Defaults live in pipeline/config/config.ts. Generated from pipeline/config/schema.ts by scripts/gen-schemas.ts: edit that file, not this one.",
    additionalProperties: false,
    $defs: { rung: RungSchema },
  },
);
