/**
 * Simulated models for measuring a bench, so that its numbers can fail: `blind` finds nothing, `flag-all` flags
 * every function on a line that shifts with any change to the input, and `noisy:HIT:FALSE:SEED` reports each defect
 * it can see with probability HIT and adds FALSE random false findings per shard on average, seeded.
 */
import type { Finding } from "./answers";
import { type CodeLine, readShardPrompt } from "./read-prompt";
import { seededRandom } from "../../pipeline/bench/random";

export const MEASURE_BEHAVIOURS = ["blind", "flag-all"] as const;
export type NoisyBehaviour = `noisy:${string}`;

export interface NoiseParams {
  hitRate: number;
  falsePerShard: number;
  seed: number;
}

const NOISY = /^noisy(?::(\d*\.?\d+))?(?::(\d*\.?\d+))?(?::(\d+))?$/;

/** The parameters of a `noisy[:HIT[:FALSE[:SEED]]]` behaviour name; undefined for any other name. Defaults 0.7, 0.5, 1. */
export function parseNoisy(name: string): NoiseParams | undefined {
  const m = NOISY.exec(name);
  if (!m) return undefined;
  const hitRate = m[1] === undefined ? 0.7 : Number(m[1]);
  if (hitRate > 1) return undefined;
  return { hitRate, falsePerShard: m[2] === undefined ? 0.5 : Number(m[2]), seed: m[3] === undefined ? 1 : Number(m[3]) };
}

/** True for `noisy`, `noisy:0.8`, `noisy:0.8:1.5:7`. */
export function isNoisyBehaviour(name: string): name is NoisyBehaviour {
  return parseNoisy(name) !== undefined;
}


type Category = "pseudocode_flags" | "risk_points" | "critical_failures";

/** A defect the noisy model can see in the text (a deleted guard or a hard-coded value leaves no mark of its own). */
interface Visible {
  line: CodeLine;
  category: Category;
  title: string;
}

const STUB = /\b(todo!\(|unimplemented!\(|NotImplementedError\b)|throw new Error\(["'`]not implemented|panic\(["'`]not implemented/i;
const SWALLOW_INLINE = /\bcatch\s*(\([^)]*\))?\s*\{\s*\}|\bexcept\b[^:]*:\s*pass\b|\.unwrap_or_default\(\)|\.ok\(\);/;
const HANDLER_OPEN = /(\bcatch\s*(\([^)]*\))?\s*\{|\bif err != nil \{)\s*$/;
const EXCEPT_OPEN = /^\s*except\b[^:]*:\s*$/;
const IMPORT = /^\s*(import\b|from\s+\S+\s+import\b|use\s+[\w:{}, *]+;|"[\w./-]+"$)/;
const DOC_PLACEHOLDER = /\b(TODO|TBD|FIXME)\b|lorem ipsum|we need to (update|fill in) this|\binsert\b.{0,40}\bhere\b/i;
const DECLARES = /^\s*(export\s+)?(pub(\([^)]*\))?\s+)?(async\s+)?(fn|function|def|func)\b|^\s*(public|private|protected|static|async)?\s*\w+\s*\([^)]*\)\s*(:\s*[^{]+)?\{\s*$/;

/** What a careful reviewer would see at a glance: stubs, swallowed errors, kept-dead code, repeated imports, placeholders. */
export function visibleDefects(code: CodeLine[], language: string): Visible[] {
  const out: Visible[] = [];
  const imports = new Set<string>();
  code.forEach((c, i) => {
    const next = code[i + 1]?.text.trim() ?? "";
    if (STUB.test(c.text)) out.push({ line: c, category: "pseudocode_flags", title: "Function body is a not-implemented stub" });
    else if (SWALLOW_INLINE.test(c.text) || (HANDLER_OPEN.test(c.text) && next === "}") || (EXCEPT_OPEN.test(c.text) && next === "pass")) {
      out.push({ line: c, category: "risk_points", title: "Error swallowed: the handler drops it" });
    } else if (/#\[allow\(dead_code\)\]/.test(c.text)) out.push({ line: c, category: "pseudocode_flags", title: "Dead function kept behind #[allow(dead_code)]" });
    else if (language === "markdown" && DOC_PLACEHOLDER.test(c.text)) out.push({ line: c, category: "pseudocode_flags", title: "Placeholder text in the documentation" });
    else if (language !== "markdown" && IMPORT.test(c.text)) {
      const key = c.text.trim();
      if (imports.has(key)) out.push({ line: c, category: "critical_failures", title: "The same import appears twice" });
      imports.add(key);
    }
  });
  return out;
}


function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Calls seen per (behaviour, prompt): a repeated question is a fresh sample, as from a model at temperature > 0. */
const asked = new Map<string, number>();

/** The answer text of a measuring behaviour for the review prompt `prompt`. */
export function measuringAnswer(behaviour: "blind" | "flag-all" | NoisyBehaviour, prompt: string): string {
  const shard = readShardPrompt(prompt);
  if (!shard || shard.code.length === 0) return JSON.stringify({ verdict: "fail", alignment_score: 0, summary: "The prompt held no numbered code block, so there was nothing to review.", required_next_actions: [{ action: "Send the shard's code as a numbered block", priority: "high", confidence: 90 }] });
  const where = `Shard ${shard.shard} of ${shard.shards} of ${shard.path} (lines ${shard.lineStart}–${shard.lineEnd})`;
  const lists: Record<Category, Finding[]> = { pseudocode_flags: [], risk_points: [], critical_failures: [] };
  const at = (c: CodeLine, title: string, confidence: number): Finding => ({ title, evidence: c.text.trim(), line_start: c.line, line_end: c.line, severity: "medium", confidence });
  const lines = shard.code.filter((c) => c.text.trim() !== "");
  // The question, without the request's random fence token: the same shard asked again draws from the same seed.
  const question = `${shard.path}\u0000${shard.lineStart}\u0000${shard.code.map((c) => c.text).join("\n")}`;
  if (behaviour === "flag-all") {
    const random = seededRandom(hash(question));
    const starts = lines.map((c, i) => (DECLARES.test(c.text) ? i : -1)).filter((i) => i >= 0);
    starts.forEach((s, k) => {
      const span = lines.slice(s, starts[k + 1] ?? lines.length);
      const pick = span[Math.floor(random() * span.length)]!;
      lists.pseudocode_flags.push(at(pick, "This function looks unfinished", 70));
    });
  } else if (behaviour !== "blind") {
    const params = parseNoisy(behaviour)!;
    const key = `${behaviour}\u0000${question}`;
    const n = asked.get(key) ?? 0;
    asked.set(key, n + 1);
    const random = seededRandom(hash(`${params.seed}\u0000${n}\u0000${question}`));
    for (const v of visibleDefects(shard.code, shard.language)) {
      if (random() < params.hitRate) lists[v.category].push(at(v.line, v.title, 85));
    }
    const falses = Math.floor(params.falsePerShard) + (random() < params.falsePerShard % 1 ? 1 : 0);
    for (let i = 0; i < falses && lines.length > 0; i++) {
      lists.pseudocode_flags.push(at(lines[Math.floor(random() * lines.length)]!, "Logic here looks like a placeholder", 60 + Math.floor(random() * 30)));
    }
  }
  const flags = [...lists.pseudocode_flags, ...lists.risk_points, ...lists.critical_failures];
  const proof = lines[0]!;
  return JSON.stringify(
    {
      verdict: flags.length > 0 ? "needs_patch" : "pass",
      alignment_score: flags.length > 0 ? 5 : 8.5,
      summary: flags.length > 0 ? `${where}: ${flags.length} problem(s) flagged; the rest reads as real logic.` : `${where}: the code does what it declares; nothing to flag in this shard.`,
      ...lists,
      verified_components: [at(proof, "Code present", 80)],
      required_next_actions: flags.map((f) => ({ action: `Look at line ${f.line_start}: ${f.title}`, priority: "medium", confidence: f.confidence })),
    },
    null,
    2,
  );
}
