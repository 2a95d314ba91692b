/**
 * The LLM reduce answer's schema, the single source of truth: llm-reduce.ts derives ReduceAnswer from it, and
 * scripts/gen-schemas.ts writes it to reduce-answer.schema.json, which Ajv loads at run time.
 */
import { Type } from "@sinclair/typebox";
import { StringEnum } from "../../domain/schema-builders";

export const ReduceAnswerSchema = Type.Object(
  {
    verdict: StringEnum(["pass", "fail", "needs_patch"]),
    alignment_score: Type.Number({ minimum: 0, maximum: 10 }),
    summary: Type.String({ minLength: 1 }),
    shards_cited: Type.Array(Type.Integer({ minimum: 0 })),
    findings_cited: Type.Optional(Type.Array(Type.String())),
  },
  {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://scrumloop.dev/schema/reduce-answer.json",
    title: "LLM reduce answer",
    description:
      "What the optional reduce rung returns for a file: the holistic verdict and the shards and findings it accounted for. Generated from pipeline/reduce/answer-schema.ts by scripts/gen-schemas.ts.",
    additionalProperties: true,
  },
);
