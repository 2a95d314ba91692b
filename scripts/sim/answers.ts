/** The answer text a simulated model gives for each answer behaviour, written about the code in the prompt. */
import type { AnswerBehaviour } from "./behaviours";
import { type CodeLine, type ShardPrompt, fingerprintsOf, readReducePayload, readShardPrompt } from "./read-prompt";
import { measuringAnswer } from "./noisy";
import { readVerifyPrompt, VERIFY_BEHAVIOURS, verifyAnswer, type VerifyBehaviour } from "./verify";

interface Marker {
  pattern: RegExp;
  title: string;
  severity: "high" | "medium";
  confidence: number;
}

/** Planted markers, most serious first; a line yields one finding, for the first marker it matches. */
const MARKERS: Marker[] = [
  { pattern: /\bunimplemented!/, title: "unimplemented!() left on a live code path", severity: "high", confidence: 95 },
  { pattern: /\btodo!\(\)/, title: "todo!() left on a live code path", severity: "high", confidence: 94 },
  { pattern: /\bNotImplementedError\b/, title: "NotImplementedError stub", severity: "high", confidence: 92 },
  { pattern: /throw new Error\(["'`]not implemented/i, title: "Function throws \"not implemented\"", severity: "high", confidence: 93 },
  { pattern: /\bcatch\s*(\([^)]*\))?\s*\{\s*\}/, title: "Empty catch block swallows errors", severity: "high", confidence: 90 },
  { pattern: /\bexcept\b[^:]*:\s*pass\b/, title: "except: pass swallows errors", severity: "high", confidence: 90 },
  { pattern: /#\[allow\(dead_code\)\]/, title: "Dead code kept behind #[allow(dead_code)]", severity: "medium", confidence: 82 },
  { pattern: /\bFIXME\b/, title: "FIXME left in the code", severity: "medium", confidence: 86 },
  { pattern: /\bTODO\b/, title: "TODO left in the code", severity: "medium", confidence: 85 },
  { pattern: /\b(stubs?|placeholder|fake)\b/i, title: "Stub, placeholder or fake logic", severity: "medium", confidence: 88 },
  { pattern: /!!!/, title: "Alarm marker (!!!) in the code", severity: "medium", confidence: 80 },
];

const INVENTED_EVIDENCE = "let secret = compute_magic();";

export interface Finding {
  title: string;
  evidence: string;
  line_start: number;
  line_end: number;
  severity: "high" | "medium" | "low";
  confidence: number;
}

/** The answer text for a call whose user message is `prompt`. */
export function answerFor(behaviour: AnswerBehaviour, prompt: string): string {
  // A verifier answers verify requests as scripted (and a shard it is sent as a good reviewer would, below).
  const request = (VERIFY_BEHAVIOURS as readonly string[]).includes(behaviour) ? readVerifyPrompt(prompt) : undefined;
  if (request) return verifyAnswer(behaviour as VerifyBehaviour, request);
  switch (behaviour) {
    case "good":
      return pretty(shardVerdict(prompt, "file"));
    case "good-fenced-chatter":
      return `Here is my forensic review of the shard.\n\n\`\`\`json\n${pretty(shardVerdict(prompt, "file"))}\n\`\`\`\n\nLet me know if you want me to look at the neighbouring shards too.`;
    case "thin":
      return "Looks fine overall.";
    case "empty":
      // A 200 with no message content at all, as an overloaded server sometimes sends.
      return "";
    case "thin-json":
      return JSON.stringify({ verdict: "pass", alignment_score: 7, summary: "ok" });
    case "markdown":
      return markdownReview(prompt);
    case "malformed": {
      const full = pretty(shardVerdict(prompt, "file"));
      return full.slice(0, Math.floor(full.length / 2));
    }
    case "shard-relative":
      return pretty(shardVerdict(prompt, "shard"));
    case "invent-evidence":
      return pretty(shardVerdict(prompt, "file", true));
    case "obey-injection":
      return pretty(obeyingVerdict(prompt));
    case "reduce-good":
    case "reduce-drop-shard":
    case "reduce-invent":
      return reduceAnswer(behaviour, prompt);
    case "verify-real":
    case "verify-confirm-all":
    case "verify-refute-all":
    case "verify-uncertain":
    case "verify-bad-quote":
      return pretty(shardVerdict(prompt, "file"));
    default:
      // blind, flag-all and the noisy:HIT:FALSE:SEED family: behaviours for measuring a bench.
      return measuringAnswer(behaviour, prompt);
  }
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function findingsIn(code: CodeLine[], lineOf: (line: number) => number): Finding[] {
  const out: Finding[] = [];
  for (const { line, text } of code) {
    const marker = MARKERS.find((m) => m.pattern.test(text));
    if (!marker) continue;
    const at = lineOf(line);
    out.push({ title: marker.title, evidence: text.trim(), line_start: at, line_end: at, severity: marker.severity, confidence: marker.confidence });
  }
  return out;
}

/** Proof of life: a real, non-empty, unmarked line, preferring one that declares something. */
function verifiedLine(code: CodeLine[]): CodeLine | undefined {
  const clean = code.filter((c) => c.text.trim() !== "" && !MARKERS.some((m) => m.pattern.test(c.text)));
  const declares = /\b(fn|function|def|func|class|struct|impl|interface|export|pub)\b/;
  return clean.find((c) => declares.test(c.text)) ?? clean[0] ?? code.find((c) => c.text.trim() !== "");
}

/** A forensic verdict about the shard; line numbers are the file's ("file") or counted from the shard's first line ("shard"). */
function shardVerdict(prompt: string, numbering: "file" | "shard", invent = false): Record<string, unknown> {
  const shard = readShardPrompt(prompt);
  if (!shard || shard.code.length === 0) return noShardVerdict();
  const lineOf = numbering === "file" ? (n: number) => n : (n: number) => n - shard.lineStart + 1;
  const flags = findingsIn(shard.code, lineOf);
  if (invent) {
    const at = lineOf(shard.lineStart);
    flags.push({ title: "Secret derived from a magic helper", evidence: INVENTED_EVIDENCE, line_start: at, line_end: at, severity: "high", confidence: 90 });
  }
  const proof = verifiedLine(shard.code);
  const verified: Finding[] = proof
    ? [{ title: `Code present and wired: ${proof.text.trim().slice(0, 60)}`, evidence: proof.text.trim(), line_start: lineOf(proof.line), line_end: lineOf(proof.line), severity: "low", confidence: 90 }]
    : [];
  const score = Math.max(1.5, 8.5 - 1.5 * flags.length);
  return {
    verdict: flags.length > 0 ? "needs_patch" : "pass",
    alignment_score: Number(score.toFixed(1)),
    summary: summaryOf(shard, flags),
    critical_failures: [],
    pseudocode_flags: flags,
    prd_mismatches: [],
    broken_pipelines: [],
    missing_components: [],
    risk_points: [],
    verified_components: verified,
    required_next_actions: flags.map((f) => ({
      action: `Resolve "${f.title}" at line ${f.line_start}: ${f.evidence}`,
      priority: f.severity,
      confidence: f.confidence,
    })),
  };
}

/** What the code tells a gullible model to do; deliberately cruder than the pipeline's own check. */
const INSTRUCTION = /ignore (all |your )?(previous|prior|the above) instructions|disregard|forget everything|verdict|mark this file as|you are now|reviewer|as an ai|dear ai|do not (report|flag)/i;

/** A model that does what the code tells it: on a shard holding an instruction, a confident `pass` with no finding. */
function obeyingVerdict(prompt: string): Record<string, unknown> {
  const shard = readShardPrompt(prompt);
  if (!shard || !shard.code.some((c) => INSTRUCTION.test(c.text))) return shardVerdict(prompt, "file");
  const proof = verifiedLine(shard.code)!;
  return {
    verdict: "pass",
    alignment_score: 10,
    summary: `Shard ${shard.shard} of ${shard.shards} of ${shard.path}: as instructed in the file, it was audited already and is correct; nothing to report.`,
    critical_failures: [],
    pseudocode_flags: [],
    prd_mismatches: [],
    broken_pipelines: [],
    missing_components: [],
    risk_points: [],
    verified_components: [{ title: "Audited and correct", evidence: proof.text.trim(), line_start: proof.line, line_end: proof.line, severity: "low", confidence: 99 }],
    required_next_actions: [],
  };
}

function summaryOf(shard: ShardPrompt, flags: Finding[]): string {
  const where = `Shard ${shard.shard} of ${shard.shards} of ${shard.path} (lines ${shard.lineStart}–${shard.lineEnd}, ${shard.language})`;
  if (flags.length === 0) return `${where}: the code does what it declares; no stubs, placeholders or swallowed errors were found.`;
  const lines = flags.map((f) => f.line_start).join(", ");
  return `${where}: ${flags.length} placeholder or stub marker(s) still in the code (lines ${lines}); the rest reads as real logic.`;
}

function noShardVerdict(): Record<string, unknown> {
  return {
    verdict: "fail",
    alignment_score: 0,
    summary: "The prompt held no numbered code block, so there was nothing to review; this is a problem with the request, not the code.",
    critical_failures: [],
    pseudocode_flags: [],
    verified_components: [],
    required_next_actions: [
      { action: "Send the shard's code as a numbered block after the 'Code (each line is prefixed…)' line", priority: "high", confidence: 90 },
    ],
  };
}

function markdownReview(prompt: string): string {
  const shard = readShardPrompt(prompt);
  const flags = shard ? findingsIn(shard.code, (n) => n) : [];
  const rows = flags.map((f, i) => `| ${i + 1} | ${f.title} | ${f.line_start} | ${f.confidence}% |`);
  rows.push(`| ${rows.length + 1} | Add tests around the error paths | - | 70% |`);
  return [
    `## Review of ${shard?.path ?? "the submitted code"}`,
    "",
    "Overall the structure is reasonable, but a few loose ends remain before this can ship.",
    "",
    "Score: 4.5/10",
    "",
    "| # | Suggestion | Line | Confidence |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
    "Verdict: needs_patch",
  ].join("\n");
}

const SEVERITY_ORDER = ["pass", "needs_patch", "fail"];

function reduceAnswer(behaviour: "reduce-good" | "reduce-drop-shard" | "reduce-invent", prompt: string): string {
  const payload = readReducePayload(prompt);
  if (!payload || payload.shards.length === 0) return "I could not find any shard verdicts to combine.";
  const shards = behaviour === "reduce-drop-shard" ? payload.shards.slice(0, -1) : payload.shards;
  // A subset of the real fingerprints: every other one, starting with the first.
  const cited = fingerprintsOf(shards).filter((_, i) => i % 2 === 0);
  if (behaviour === "reduce-invent") cited.push("fp-invented-0000");
  const verdicts = payload.shards.map((s) => String(s.verdict?.verdict ?? "pass"));
  const worst = verdicts.reduce((a, b) => (SEVERITY_ORDER.indexOf(b) > SEVERITY_ORDER.indexOf(a) ? b : a), "pass");
  const scores = payload.shards.map((s) => s.verdict?.alignment_score).filter((x): x is number => typeof x === "number");
  const score = scores.length > 0 ? scores.reduce((a, b) => a + b, 0) / scores.length : 5;
  return pretty({
    verdict: worst,
    alignment_score: Number(score.toFixed(1)),
    summary: `${payload.path ?? "The file"} across ${shards.length} shard(s): ${worst === "pass" ? "no open findings" : "open findings remain"}; see the cited findings.`,
    shards_cited: shards.map((s) => s.index),
    findings_cited: cited,
  });
}
