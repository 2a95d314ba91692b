/**
 * The verifier's answer schema, the single source of truth: verify.ts derives VerifyAnswer from it, and
 * scripts/gen-schemas.ts writes it to verify-answer.schema.json, which Ajv loads at run time.
 */
import { Type } from "@sinclair/typebox";
import { StringEnum } from "../../domain/schema-builders";

export const VerifyAnswerSchema = Type.Object(
  {
    disposition: StringEnum(["confirmed", "refuted", "uncertain"]),
    reason: Type.String({ minLength: 1 }),
    evidence: Type.String(),
  },
  {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://scrumloop.dev/schema/verify-answer.json",
    title: "Verifier answer",
    description:
      "What the [verify] rung returns for one finding: whether the code bears it out, why, and a quote from the code that shows it. Generated from pipeline/verify/answer-schema.ts by scripts/gen-schemas.ts.",
    additionalProperties: true,
  },
);
