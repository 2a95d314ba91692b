/** Every JSON Schema file generated from a TypeBox source, by path from the repository root (scripts/gen-schemas.ts, the schema tests). */
import type { TSchema } from "@sinclair/typebox";
import { RoutingSchema } from "../config/schema";
import { ReduceAnswerSchema } from "../reduce/answer-schema";
import { FileVerdictSchema, ShardVerdictSchema } from "../../domain/verdict-schema";
import { VerifyAnswerSchema } from "../verify/answer-schema";

export const GENERATED_SCHEMAS: ReadonlyArray<{ file: string; schema: TSchema }> = [
  { file: "pipeline/verdict/verdict.schema.json", schema: ShardVerdictSchema },
  { file: "pipeline/verdict/file-verdict.schema.json", schema: FileVerdictSchema },
  { file: "config/routing.schema.json", schema: RoutingSchema },
  { file: "pipeline/reduce/reduce-answer.schema.json", schema: ReduceAnswerSchema },
  { file: "pipeline/verify/verify-answer.schema.json", schema: VerifyAnswerSchema },
];
