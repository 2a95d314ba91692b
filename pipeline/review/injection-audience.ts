/**
 * Who an instruction found in a file addresses. Text that speaks to a reviewing model or an agent is an injection;
 * the same words as data a program handles — a test fixture, an assertion, a detection rule, a docstring about the
 * defence, a prompt an LLM application sends its own model — are not a finding. Handled text is still fenced and
 * still keeps the file from `pass` at tier `auto` (pipeline/score/tiers.ts): the defence stays, the noise goes.
 */

import { CHAT_FORMAT_INTENT } from "./injection-phrases";

/**
 * Why a hit is data the program handles rather than an instruction to its reader; `address` is text that names a model
 * as its reader and asks nothing of it.
 */
export type HandledReason = "test" | "detector" | "described" | "prompt" | "address";

/** Where on its line a hit sits, as the tree or the Markdown structure says. */
export type TextKind = "comment" | "string" | "code" | "prose" | "quoted";

/**
 * Paths of tests, fixtures and evaluation data: what sits there is input to a program, not a message to a reader.
 * Rust's `tests.rs` is the file of a `mod tests;` declared beside the code it tests.
 */
const TEST_PATH =
  /(?:^|\/)(?:tests?|__tests__|spec|specs|fixtures?|__fixtures__|__mocks__|testdata|test[_-]data|e2e|evals?|benchmarks?|datasets?)\/|(?:^|\/)(?:test_[^/]*|[^/]*_test\.[^/]+|[^/]*\.(?:test|spec|vitest)\.[^/]+|conftest\.py|tests\.rs)$/i;

/** Prompt templates an application ships for its own model. */
const PROMPT_PATH = /(?:^|\/)prompts?\/|(?:^|\/)[^/]*prompt[^/]*\.(?:md|txt|j2|jinja2?|hbs|mustache|tmpl|ya?ml)$/i;

/** Regular-expression syntax: the line holds a pattern, not a sentence. */
const PATTERN_SYNTAX = /\\[sbwdSW]|\(\?[:!=<i]|[\w)?]\|[\w(\\]|\)[?*+]|\[[^\]\s]{2,}\][?*+]/;

/** A file that is about the attack itself: a detector, a guard, a red-team suite, the defence's own docs. */
const INJECTION_TOPIC =
  /prompt[\s_-]*injection|\bjailbreak|\binjection[\s_-]*(?:attacks?|attempts?|detect\w*|patterns?|phrases?|strings?|payloads?|defen[cs]\w*|heuristics?|classifier|guard|score|rules?|check)|\bdetect[\s_-]*injection|\bis[\s_-]*injection|\badversarial[\s_-]*(?:prompts?|inputs?|instructions?)|\bred[\s_-]*team|\bcanary[\s_-]*(?:words?|tokens?)|\bmalicious[\s_-]*(?:prompts?|instructions?|inputs?)/i;

/** A file that builds prompts for its own model: its string literals are that model's instructions. */
const PROMPT_BUILDER =
  /\bsystem[\s_-]?prompt|\bprompt[\s_-]?template|\bChatPromptTemplate\b|["']?role["']?\s*[:=]\s*["'](?:system|user|assistant)["']|\bchat\.completions\b|\bmessages\.create\b|\bfrom\s+(?:openai|anthropic|langchain\w*|llama_index)\b|\bimport\s+(?:openai|anthropic)\b|require\(["'](?:openai|@anthropic-ai\/sdk)["']\)|from\s+["'](?:openai|@anthropic-ai\/sdk|ai|langchain)["']/;

/**
 * The words before a hit that make it a description of an attack, not an attack: "if the user asks you to …",
 * "phrases such as '…'", "detects …", "an attacker may write …".
 */
const DESCRIBES_BEFORE = [
  /\b(?:if|when|whenever|unless)\b[^.;!?]{0,60}\b(?:asks?|tells?|says?|tries|try|attempts?|contains?|instructs?|requests?|wants?|includes?|writes?)\b[^.;!?]*$/i,
  /\b(?:such\s+as|e\.g\.?|for\s+(?:example|instance)|like|i\.e\.?|including|namely|examples?|samples?|payloads?|phrases?|patterns?|strings?|attacks?|attempts?|detects?|detected|detecting|blocks?|blocked|catches|caught|flags|flagged|matches|matched|rejects?|rejected|refuses?|classif(?:y|ies|ied)|labels?)\s*[:,(]?\s*["“'`«]?\s*$/i,
  /\b(?:attackers?|adversar(?:y|ies|ial)|malicious|injected|injection|jailbreak)\b/i,
  /\b(?:telling|tells?|told|instructing|instructs?|asking|asks?|ordering|orders?)\s+(?:an?\s+|the\s+|any\s+)?$/i,
];

/** How a hit counts: `null` when it addresses the reader (a finding), else why it is handled data. */
export function handledReason(input: { path: string; fileText: string; kind: TextKind; before: string; line: string; intent: string }): HandledReason | null {
  if (TEST_PATH.test(input.path)) return "test";
  // Chat-template tokens in a quoted block of docs are a prompt format being documented.
  if (input.intent === CHAT_FORMAT_INTENT && input.kind === "quoted") return "prompt";
  if (PROMPT_PATH.test(input.path)) return "prompt";
  // A literal written in pattern syntax (alternations, groups, `\s`) is a rule the program matches text against.
  if ((input.kind === "string" || input.kind === "code") && PATTERN_SYNTAX.test(input.line)) return "detector";
  if (DESCRIBES_BEFORE.some((p) => p.test(input.before))) return "described";
  // Literals and identifiers (`INJECTION_PATTERNS`, `def ignore_previous_instructions_rule`) of the defence's own code.
  const literal = input.kind === "string" || input.kind === "quoted" || input.kind === "code";
  if (literal && INJECTION_TOPIC.test(input.fileText)) return "detector";
  if (input.kind === "string" && PROMPT_BUILDER.test(input.fileText)) return "prompt";
  // A comment or docstring in the defence's own code that names the attack is about it, not one.
  if (input.kind === "comment" && INJECTION_TOPIC.test(input.before)) return "described";
  return null;
}

/** The first line (1-based) of a file that is about prompt injection itself, if it is. */
export function injectionTopicLine(lines: string[]): number | undefined {
  const row = lines.findIndex((l) => INJECTION_TOPIC.test(l));
  return row < 0 ? undefined : row + 1;
}

/** Quoted spans of a line of prose: "…", “…”, «…», `…`, and '…' of a few words. */
const QUOTED_SPAN = /"[^"]{3,}"|“[^”]{3,}”|«[^»]{3,}»|`[^`]{3,}`|'[^'\s][^']{6,}'/g;

/** Whether column `at` of a prose line falls inside a quotation (then it is cited, not said). */
export function insideQuote(line: string, at: number): boolean {
  for (const m of line.matchAll(QUOTED_SPAN)) {
    if (at > m.index! && at < m.index! + m[0].length) return true;
  }
  return false;
}

/** Prose kinds of each line of a Markdown or text file: `quoted` inside fenced code blocks and block quotes. */
export function docLineKinds(lines: string[]): TextKind[] {
  let fence: string | null = null;
  return lines.map((line) => {
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence !== null) {
      if (open && open[1]!.startsWith(fence)) fence = null;
      return "quoted";
    }
    if (open) {
      fence = open[1]!;
      return "quoted";
    }
    return /^\s*>/.test(line) ? "quoted" : "prose";
  });
}
