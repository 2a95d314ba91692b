/** The optional LLM reduce pass: a rung reads every shard verdict (not the code) and writes the holistic file verdict. */
import Ajv2020 from "ajv/dist/2020";
import type { ValidateFunction } from "ajv";
import type { Static } from "@sinclair/typebox";
import { extractJson } from "../answer/extract-json";
import type { Judgement } from "../call/attempt";
import type { Attempt } from "../../domain/attempt";
import { callRung, type CallDeps } from "../call/call-rung";
import type { Rung } from "../call/rung";
import type { LadderDeps } from "../review/ladder";
import { renderTemplate, shippedTemplate } from "../review/template";
import type { ReduceAnswerSchema } from "./answer-schema";
import schema from "./reduce-answer.schema.json";
import { FINDING_CATEGORIES, type FileVerdict } from "../../domain/verdict";

/** The reduce rung's answer, as its schema (answer-schema.ts) admits it. */
export type ReduceAnswer = Static<typeof ReduceAnswerSchema>;

// Compiled on first use: only a run with a `[reduce] rung` ever judges a reduce answer.
let answerValidator: ValidateFunction<ReduceAnswer> | undefined;
function validateAnswer(): ValidateFunction<ReduceAnswer> {
  answerValidator ??= new Ajv2020({ allErrors: true, strict: true }).compile<ReduceAnswer>(schema);
  return answerValidator;
}

/** The reduce input (prompts/reduce-request.md): every shard's status and verdict, with the file-level findings (and their fingerprints) of each. */
export function buildReducePrompt(merged: FileVerdict): string {
  const shards = merged.shard_reviews.map((s) => {
    if (s.status === "unreviewed") return { index: s.index, line_start: s.line_start, line_end: s.line_end, status: s.status, reasons: s.reasons };
    const lists = Object.fromEntries(
      FINDING_CATEGORIES.map((c) => [
        c,
        merged[c]
          .filter((f) => f.shard === s.index)
          .map((f) => ({ fingerprint: f.fingerprint, title: f.title, severity: f.severity, confidence: f.confidence, line_start: f.line_start, line_end: f.line_end, evidence_verified: f.evidence_verified })),
      ]),
    );
    return {
      index: s.index,
      line_start: s.line_start,
      line_end: s.line_end,
      status: s.status,
      rung: s.rung,
      verdict: { verdict: s.verdict, summary: s.summary, ...lists, required_next_actions: merged.required_next_actions.filter((a) => a.shard === s.index) },
    };
  });
  return renderTemplate(shippedTemplate("reduce-request.md"), {
    path: merged.path,
    shards: String(merged.shards),
    verdicts: JSON.stringify({ path: merged.path, shards }, null, 2),
  }).trimEnd();
}

/** Judge a reduce answer: valid JSON of the reduce schema that cites every shard and no finding that no shard produced. */
export function judgeReduceAnswer(text: string, merged: FileVerdict): Judgement<ReduceAnswer> {
  const extracted = extractJson(text);
  if (extracted === null) return { outcome: "thin", reason: "reduce answer holds no JSON object", format: "unstructured" };
  if ("error" in extracted) return { outcome: "invalid", reason: `reduce answer: ${extracted.error}`, format: "forensic_json" };
  const validate = validateAnswer();
  if (!validate(extracted.json)) {
    const errs = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || "/"} ${e.message}`);
    return { outcome: "invalid", reason: `reduce answer fails its schema: ${errs.join("; ")}`, format: "forensic_json" };
  }
  const answer = extracted.json;
  const cited = new Set(answer.shards_cited);
  const missing = merged.shard_reviews.map((s) => s.index).filter((i) => !cited.has(i));
  if (missing.length > 0) {
    return { outcome: "invalid", reason: `reduce answer omits shard${missing.length > 1 ? "s" : ""} ${missing.join(", ")} of ${merged.shards}`, format: "forensic_json" };
  }
  const known = new Set(FINDING_CATEGORIES.flatMap((c) => merged[c].map((f) => f.fingerprint)));
  const invented = (answer.findings_cited ?? []).filter((f) => !known.has(f));
  if (invented.length > 0) {
    return { outcome: "invalid", reason: `reduce answer cites finding${invented.length > 1 ? "s" : ""} no shard produced: ${invented.slice(0, 3).join(", ")}`, format: "forensic_json" };
  }
  const standing = FINDING_CATEGORIES.filter((c) => c !== "verified_components").flatMap((c) =>
    merged[c].filter((f) => f.evidence_verified && (c === "critical_failures" || f.severity === "high")),
  );
  if (answer.verdict === "pass" && standing.length > 0) {
    return { outcome: "invalid", reason: `reduce answer says pass while ${standing.length} verified high-severity finding(s) stand`, format: "forensic_json" };
  }
  return { outcome: "accepted", value: answer, format: "forensic_json", notes: [] };
}

export interface ReduceResult {
  verdict: FileVerdict;
  attempts: Attempt[];
}

/**
 * Run the reduce rung over a merged verdict. Accepted: its verdict, score and summary replace the merge's, findings
 * stay the merge's (the reducer saw no code). Rejected: the deterministic merge stands. `reduced_by` says which.
 * An incomplete coverage is never turned into a pass.
 */
export async function reduceWithModel(
  merged: FileVerdict,
  rung: Rung,
  systemPrompt: string,
  deps: CallDeps & Pick<LadderDeps, "onAttempt">,
  signal: AbortSignal,
  /** The file the verdicts are about: its secrets are masked wherever the verdicts quote them, whole, escaped or cut. */
  sources: readonly string[] = [],
): Promise<ReduceResult> {
  const attempts: Attempt[] = [];
  const record = (a: Attempt) => {
    attempts.push(a);
    deps.onAttempt?.(a);
  };
  const request = { system: systemPrompt, prompt: buildReducePrompt(merged), sources };
  const result = await callRung(rung, request, (text) => judgeReduceAnswer(text, merged), { shardIndex: -1, purpose: "reduce", record, deps, signal });
  if (!result.accepted) return { verdict: merged, attempts };
  const answer = result.accepted.value;
  const verdict = !merged.coverage_complete && answer.verdict === "pass" ? merged.verdict : answer.verdict;
  return {
    verdict: {
      ...merged,
      verdict: merged.verdict === "unreviewed" ? "unreviewed" : verdict,
      alignment_score: answer.alignment_score,
      summary: answer.summary,
      reduced_by: rung.config.model,
    },
    attempts,
  };
}
