/**
 * Verification ([verify]): after a file's shards are reduced, each problem finding at or above `min_severity` goes to a
 * verifier rung with the code it is about. The verifier tries to refute it: `confirmed` keeps it, `refuted` moves it out
 * of the lists (kept under `refuted` with the reason, raising nothing), `uncertain` keeps it and caps the tier at review.
 * A confirmation whose quote is not in the file counts as uncertain. Failed or thin answers climb the ladder from the
 * verifier rung, as shard answers do; every call is an attempt with purpose `verify`.
 */
import Ajv2020 from "ajv/dist/2020";
import type { ValidateFunction } from "ajv";
import type { Static } from "@sinclair/typebox";
import { extractJson } from "../answer/extract-json";
import type { VerifyConfig } from "../config/config";
import type { Judgement } from "../call/attempt";
import type { Attempt } from "../../domain/attempt";
import { callRung } from "../call/call-rung";
import type { Rung } from "../call/rung";
import type { LadderDeps } from "../review/ladder";
import { fenced, numberLines } from "../review/prompt";
import { renderTemplate, shippedTemplate } from "../review/template";
import { indexEvidence, locateEvidence, type EvidenceIndex } from "../reduce/evidence";
import type { Shard } from "../shard/types";
import { FINDING_CATEGORIES, type FileFinding, type FileVerdict, type FindingCategory, type Severity } from "../../domain/verdict";
import type { VerifyAnswerSchema } from "./answer-schema";
import schema from "./verify-answer.schema.json";

export type VerifyAnswer = Static<typeof VerifyAnswerSchema>;
export type Disposition = VerifyAnswer["disposition"];

let answerValidator: ValidateFunction<VerifyAnswer> | undefined;
function validateAnswer(): ValidateFunction<VerifyAnswer> {
  answerValidator ??= new Ajv2020({ allErrors: true, strict: true }).compile<VerifyAnswer>(schema);
  return answerValidator;
}

const SEVERITY_RANK: Record<Severity, number> = { high: 3, medium: 2, low: 1 };

/** A finding picked for verification, with where it sits. */
export interface Candidate {
  category: Exclude<FindingCategory, "verified_components">;
  finding: FileFinding;
  /** Who produced it: the shard's accepted rung, or "static" for a deterministic rule. */
  producer: string;
}

/** Decides whether a producer's findings of a category may skip verification; the reason when they may, else null. */
export type TrustCheck = (producer: string, category: string) => string | null;

export interface VerifyContext {
  config: VerifyConfig;
  /** The ladder from the verifier rung upwards (model rungs only). */
  rungs: Rung[];
  /** prompts/verify.md (the verifier's system prompt). */
  systemPrompt: string;
  deps: Pick<LadderDeps, "sleep" | "cache" | "budget" | "priority" | "retry" | "onCooldown" | "onAttempt">;
  signal: AbortSignal;
  /** skip_when_trusted: consulted per candidate when set. */
  trusted?: TrustCheck;
}

export interface VerifyOutcome {
  verdict: FileVerdict;
  attempts: Attempt[];
  /** Candidates that skipped verification, each with why (trusted producer, over max_per_file). */
  skipped: string[];
}

/** The problem findings of a verdict that go to the verifier, most severe and most confident first, at most max_per_file. */
export function pickCandidates(verdict: FileVerdict, config: VerifyConfig): { picked: Candidate[]; over: Candidate[] } {
  const producerOf = (f: FileFinding): string => {
    if (f.rule !== undefined) return "static";
    const shard = verdict.shard_reviews.find((s) => s.index === f.shard);
    return shard?.status === "reviewed" ? shard.rung : "unknown";
  };
  const all: Candidate[] = [];
  for (const category of FINDING_CATEGORIES) {
    if (category === "verified_components") continue;
    for (const finding of verdict[category]) {
      if (!finding.evidence_verified || finding.disposition !== undefined) continue;
      if (SEVERITY_RANK[finding.severity] < SEVERITY_RANK[config.minSeverity]) continue;
      const producer = producerOf(finding);
      if (producer === "static" && !config.static) continue;
      all.push({ category, finding, producer });
    }
  }
  all.sort((a, b) => SEVERITY_RANK[b.finding.severity] - SEVERITY_RANK[a.finding.severity] || b.finding.confidence - a.finding.confidence);
  return { picked: all.slice(0, config.maxPerFile), over: all.slice(config.maxPerFile) };
}

/** The code a finding is about: its lines with `context` lines either side, within its shard. */
export function codeFor(finding: FileFinding, shard: Shard, lines: readonly string[], context: number): { lineStart: number; lineEnd: number; text: string } {
  const lineStart = Math.max(shard.lineStart, Math.min(finding.line_start, shard.lineEnd) - context);
  const lineEnd = Math.min(shard.lineEnd, Math.max(finding.line_end, lineStart) + context);
  return { lineStart, lineEnd, text: lines.slice(lineStart - 1, lineEnd).join("\n") };
}

/** The user message of one verification (prompts/verify-request.md). */
export function buildVerifyPrompt(
  path: string,
  language: string,
  candidate: Candidate,
  code: { lineStart: number; lineEnd: number; text: string },
  preamble: string,
): string {
  const { finding, category } = candidate;
  const claim = {
    title: finding.title,
    category,
    severity: finding.severity,
    line_start: finding.line_start,
    line_end: finding.line_end,
    evidence: finding.evidence,
  };
  const info = language.replace(/[^\w+#.-]/g, "");
  return renderTemplate(shippedTemplate("verify-request.md"), {
    path,
    language,
    line_start: String(code.lineStart),
    line_end: String(code.lineEnd),
    finding: fenced(JSON.stringify(claim, null, 2), "json"),
    preamble: preamble.trim() ? fenced(preamble.trimEnd(), info) : "",
    code: fenced(numberLines(code.text, code.lineStart), info),
  }).trimEnd();
}

/** What a verifier answer settles: the disposition and its reason, after the quote was checked against the file. */
export interface Settled {
  disposition: Disposition;
  reason: string;
}

/** Judge a verifier answer: valid JSON of the verifier schema; a confirmation must quote the file or it counts as uncertain. */
export function judgeVerifyAnswer(text: string, index: EvidenceIndex, code: { lineStart: number; lineEnd: number }): Judgement<Settled> {
  const extracted = extractJson(text);
  if (extracted === null) return { outcome: "thin", reason: "verifier answer holds no JSON object", format: "unstructured" };
  if ("error" in extracted) return { outcome: "invalid", reason: `verifier answer: ${extracted.error}`, format: "forensic_json" };
  const validate = validateAnswer();
  if (!validate(extracted.json)) {
    const errs = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || "/"} ${e.message}`);
    return { outcome: "invalid", reason: `verifier answer fails its schema: ${errs.join("; ")}`, format: "forensic_json" };
  }
  const answer = extracted.json;
  const reason = answer.reason.trim();
  if (answer.disposition === "confirmed") {
    const quote = answer.evidence.trim();
    const found = quote.length > 0 && locateEvidence({ evidence: quote, line_start: code.lineStart, line_end: code.lineStart }, index, code).verified;
    if (!found) {
      return {
        outcome: "accepted",
        value: { disposition: "uncertain", reason: `confirmed, but its quote is not in the file (counted as uncertain): ${reason}` },
        format: "forensic_json",
        notes: ["confirmation quote not in the file: uncertain"],
      };
    }
  }
  return { outcome: "accepted", value: { disposition: answer.disposition, reason }, format: "forensic_json", notes: [] };
}

/**
 * Verify a reduced file verdict's findings. Each candidate climbs the verifier ladder (cache first, as shards do); the
 * verdict comes back with dispositions set, refuted findings moved under `refuted`, and the verdict lowered to pass
 * when no problem finding is left standing.
 */
export async function verifyFindings(
  verdict: FileVerdict,
  file: { path: string; language: string; lines: readonly string[]; shards: readonly Shard[] },
  ctx: VerifyContext,
): Promise<VerifyOutcome> {
  const attempts: Attempt[] = [];
  const skipped: string[] = [];
  const { picked, over } = pickCandidates(verdict, ctx.config);
  const settled = new Map<string, { disposition?: Disposition; reason: string; by?: string }>();
  // A finding left unverified says why, in the KB and in `scrum show`.
  const skip = (c: Candidate, why: string) => {
    skipped.push(`${c.finding.fingerprint}: ${why}`);
    settled.set(c.finding.fingerprint, { reason: `not verified: ${why}` });
  };
  for (const c of over) skip(c, `over [verify] max_per_file = ${ctx.config.maxPerFile}`);
  if (picked.length === 0 || ctx.rungs.length === 0) return { verdict: applyDispositions(verdict, settled), attempts, skipped };
  const index = indexEvidence([...file.lines]);
  // The findings quote model answers, which may carry a secret of the file cut short: redaction masks it in any form.
  const sources = [file.lines.join("\n")];
  const record = (a: Attempt) => {
    attempts.push(a);
    ctx.deps.onAttempt?.(a);
  };
  await Promise.all(
    picked.map(async (c) => {
      const trust = ctx.config.skipWhenTrusted ? ctx.trusted?.(c.producer, c.category) ?? null : null;
      if (trust !== null) return skip(c, trust);
      const shard = file.shards.find((s) => s.index === c.finding.shard) ?? file.shards[0];
      if (!shard) return;
      const code = codeFor(c.finding, shard, file.lines, ctx.config.contextLines);
      const request = { system: ctx.systemPrompt, prompt: buildVerifyPrompt(file.path, file.language, c, code, shard.preamble), sources };
      const judge = (text: string) => judgeVerifyAnswer(text, index, code);
      const reasons: string[] = [];
      // An unchanged question answered before costs nothing, whichever rung answered it: the cache is asked first.
      for (const cacheOnly of ctx.deps.cache ? [true, false] : [false]) {
        for (const rung of ctx.rungs) {
          const result = await callRung(rung, request, judge, { shardIndex: c.finding.shard, purpose: "verify", record, deps: ctx.deps, signal: ctx.signal, cacheOnly });
          if (result.accepted) {
            settled.set(c.finding.fingerprint, { ...result.accepted.value, by: rung.config.model });
            return;
          }
          if (!cacheOnly) reasons.push(`rung ${rung.config.name} (${rung.config.model}) ${result.reason}`);
        }
      }
      settled.set(c.finding.fingerprint, { reason: `not verified: ${reasons.join("; ")}` });
    }),
  );
  return { verdict: applyDispositions(verdict, settled), attempts, skipped };
}

/** Set each settled finding's disposition; refuted findings leave the lists; a verdict left with no problem becomes pass. */
export function applyDispositions(verdict: FileVerdict, settled: ReadonlyMap<string, { disposition?: Disposition; reason: string; by?: string }>): FileVerdict {
  if (settled.size === 0) return verdict;
  const out: FileVerdict = { ...verdict, refuted: [...(verdict.refuted ?? [])] };
  let refuted = 0;
  for (const c of FINDING_CATEGORIES) {
    if (c === "verified_components") continue;
    const keep: FileFinding[] = [];
    for (const f of verdict[c]) {
      const s = settled.get(f.fingerprint);
      if (!s) {
        keep.push(f);
        continue;
      }
      const marked: FileFinding = {
        ...f,
        ...(s.disposition ? { disposition: s.disposition } : {}),
        ...(s.by ? { verified_by: s.by } : {}),
        verify_reason: s.reason,
      };
      if (s.disposition === "refuted") {
        out.refuted!.push({ ...marked, category: c });
        refuted++;
      } else keep.push(marked);
    }
    out[c] = keep;
  }
  if (out.refuted!.length === 0) delete out.refuted;
  if (refuted === 0) return out;
  const standing = FINDING_CATEGORIES.filter((c) => c !== "verified_components").reduce((n, c) => n + out[c].filter((f) => f.evidence_verified).length, 0);
  if (standing === 0 && (verdict.verdict === "needs_patch" || verdict.verdict === "fail")) {
    out.verdict = "pass";
    out.summary = `${verdict.summary}\n(${refuted} finding${refuted === 1 ? "" : "s"} refuted by the verifier; nothing else stands.)`;
  }
  return out;
}
