/**
 * The forensic verdict schemas, the single source of truth: verdict.ts derives its types from these, and
 * scripts/gen-schemas.ts writes them to verdict.schema.json and file-verdict.schema.json, which Ajv loads at run time
 * (so the CLI never loads TypeBox) and tests/verdict/schema.test.ts keeps equal to these.
 */
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { DefRef, StringEnum } from "./schema-builders";
import { FINDING_CATEGORIES, type FindingCategory, type OWN_FINDING_KEYS } from "./verdict";

const VERDICTS = ["pass", "fail", "needs_patch"] as const;
const LEVELS = ["high", "medium", "low"] as const;

/** The seven finding lists, each of `item`, in FINDING_CATEGORIES order. */
function categoryLists<T extends TSchema>(item: T): Record<FindingCategory, T> {
  return Object.fromEntries(FINDING_CATEGORIES.map((c) => [c, item])) as Record<FindingCategory, T>;
}

const findingCore = {
  title: Type.String({ minLength: 1 }),
  evidence: Type.String(),
  line_start: Type.Integer({ minimum: 0 }),
  line_end: Type.Integer({ minimum: 0 }),
  severity: StringEnum(LEVELS),
  confidence: Type.Number({ minimum: 0, maximum: 100 }),
};

const ownFindingKeys = {
  rule: Type.Optional(
    Type.String({ minLength: 1, description: "The id of the deterministic rule that produced the finding (static rung, injection check); absent for a model's finding." }),
  ),
  agreement: Type.Optional(Type.Integer({ minimum: 1, description: "Consensus: how many answers reported the finding (set by pipeline/review/consensus.ts, never by a model)." })),
  agreed_by: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "Consensus: the rungs whose answers reported the finding." })),
} satisfies Record<(typeof OWN_FINDING_KEYS)[number], TSchema>;

export const FindingSchema = Type.Object({ ...findingCore, ...ownFindingKeys }, { additionalProperties: true });

export const NextActionSchema = Type.Object(
  { action: Type.String({ minLength: 1 }), priority: StringEnum(LEVELS), confidence: Type.Number({ minimum: 0, maximum: 100 }) },
  { additionalProperties: true },
);

/** One shard's verdict as a reviewer returns it; an absent list means the reviewer reported nothing in it. */
export const ShardVerdictSchema = Type.Object(
  {
    verdict: StringEnum(VERDICTS),
    alignment_score: Type.Number({ minimum: 0, maximum: 10 }),
    summary: Type.String({ minLength: 1 }),
    ...categoryLists(Type.Optional(Type.Array(DefRef("finding", FindingSchema)))),
    required_next_actions: Type.Optional(Type.Array(DefRef("action", NextActionSchema))),
  },
  {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://scrumloop.dev/schema/verdict.json",
    title: "Forensic shard verdict",
    description:
      "What a reviewer (model or static rung) returns for one shard. The eight lists map to the eight audit passes of prompts/forensic.md. An absent list means the reviewer reported nothing in it. Generated from domain/verdict-schema.ts by scripts/gen-schemas.ts.",
    additionalProperties: true,
    $defs: { finding: FindingSchema, action: NextActionSchema },
  },
);

const fileFindingProps = {
  ...findingCore,
  fingerprint: Type.String({ minLength: 1 }),
  evidence_verified: Type.Boolean(),
  shard: Type.Integer({ minimum: 0, description: "The shard whose review produced the finding." }),
  rule: ownFindingKeys.rule,
  symbol: Type.Optional(Type.String({ minLength: 1, description: "The enclosing symbol (from the shard plan) the finding sits in." })),
  agreement: ownFindingKeys.agreement,
  agreed_by: ownFindingKeys.agreed_by,
  disposition: Type.Optional(
    StringEnum(["confirmed", "refuted", "uncertain"], { description: "[verify]: what the verifier made of the finding; absent when it was not verified." }),
  ),
  verified_by: Type.Optional(Type.String({ minLength: 1, description: "[verify]: the model whose answer set the disposition." })),
  verify_reason: Type.Optional(Type.String({ description: "[verify]: the verifier's reason (or why its confirmation counts as uncertain)." })),
};

export const FileFindingSchema = Type.Object(fileFindingProps, { additionalProperties: false });

export const DismissedFindingSchema = Type.Object(
  { ...fileFindingProps, category: StringEnum(FINDING_CATEGORIES), dismissal_id: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

const shardSpan = {
  index: Type.Integer({ minimum: 0 }),
  line_start: Type.Integer({ minimum: 1 }),
  line_end: Type.Integer({ minimum: 1 }),
};

const ReviewedShardSchema = Type.Object(
  { ...shardSpan, status: Type.Literal("reviewed"), rung: Type.String(), model: Type.String(), verdict: StringEnum(VERDICTS), summary: Type.String() },
  { additionalProperties: false },
);
const UnreviewedShardSchema = Type.Object({ ...shardSpan, status: Type.Literal("unreviewed"), reasons: Type.Array(Type.String()) }, { additionalProperties: false });

/**
 * A shard review is keyed on its status: a reviewed shard names who reviewed it and what they said; an unreviewed one,
 * why not. A oneOf with a discriminator (not TypeBox's plain anyOf), so Ajv reports the failures of the branch the
 * status picks instead of every branch's.
 */
export const ShardReviewSchema = Type.Unsafe<Static<typeof ReviewedShardSchema> | Static<typeof UnreviewedShardSchema>>({
  type: "object",
  discriminator: { propertyName: "status" },
  oneOf: [ReviewedShardSchema, UnreviewedShardSchema],
});

/** The stored verdict of one file: the shard verdicts reduced, with the coverage that proves what was looked at. */
export const FileVerdictSchema = Type.Object(
  {
    path: Type.String({ minLength: 1 }),
    verdict: StringEnum([...VERDICTS, "unreviewed"]),
    alignment_score: Type.Union([Type.Number({ minimum: 0, maximum: 10 }), Type.Null()]),
    summary: Type.String(),
    ...categoryLists(Type.Array(DefRef("finding", FileFindingSchema))),
    required_next_actions: Type.Array(
      Type.Object(
        {
          action: Type.String({ minLength: 1 }),
          priority: StringEnum(LEVELS),
          confidence: Type.Number({ minimum: 0, maximum: 100 }),
          shard: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    shards: Type.Integer({ minimum: 0 }),
    coverage: Type.Array(Type.Integer({ minimum: 0 })),
    coverage_complete: Type.Boolean(),
    shard_reviews: Type.Array(ShardReviewSchema),
    reduced_by: Type.String({ minLength: 1 }),
    refuted: Type.Optional(
      Type.Array(Type.Object({ ...fileFindingProps, category: StringEnum(FINDING_CATEGORIES) }, { additionalProperties: false }), {
        description: "Findings the verifier ([verify]) refuted: kept with its reason, out of the lists, the verdict and the metrics.",
      }),
    ),
    dismissed: Type.Optional(
      Type.Array(DismissedFindingSchema, {
        description: "Findings a user dismissed (scrum dismiss): kept for the record, out of the lists, the verdict and the metrics.",
      }),
    ),
  },
  {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://scrumloop.dev/schema/file-verdict.json",
    title: "Forensic file verdict",
    description:
      "The verdict stored for one file: the shard verdicts reduced, with the coverage that proves what was looked at. Generated from domain/verdict-schema.ts by scripts/gen-schemas.ts.",
    additionalProperties: false,
    $defs: { finding: FileFindingSchema },
  },
);
