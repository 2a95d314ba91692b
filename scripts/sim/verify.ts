/**
 * Simulated verifiers ([verify]): they read the verify prompt (prompts/verify-request.md) as a model would and answer
 * the verifier JSON. `verify-real` confirms a finding only when its lines hold a real defect (what a careful reviewer
 * sees: the noisy model's visible defects) and refutes it otherwise; the others answer one way.
 */
import type { CodeLine } from "./read-prompt";
import { visibleDefects } from "./noisy";

export const VERIFY_BEHAVIOURS = ["verify-real", "verify-confirm-all", "verify-refute-all", "verify-uncertain", "verify-bad-quote"] as const;
export type VerifyBehaviour = (typeof VERIFY_BEHAVIOURS)[number];

export interface VerifyPrompt {
  path: string;
  language: string;
  finding: { title?: string; line_start?: number; line_end?: number; evidence?: string };
  code: CodeLine[];
}

const HEAD = /^Verify finding in: (.+) \(([^()]*)\), code lines (\d+)[–-](\d+)$/m;
const NUMBERED = /^\s*(\d+) \|(?: (.*))?$/;

/** The block after `heading` (its first fenced block), as lines; undefined when absent. */
function blockAfter(lines: string[], heading: string): string[] | undefined {
  const at = lines.findIndex((l) => l.startsWith(heading));
  if (at < 0) return undefined;
  const open = lines.findIndex((l, i) => i > at && /^(`{3,}|~{3,})/.test(l));
  if (open < 0) return undefined;
  const fence = /^(`+|~+)/.exec(lines[open]!)![0];
  const out: string[] = [];
  for (let i = open + 1; i < lines.length && lines[i] !== fence; i++) out.push(lines[i]!);
  return out;
}

/** The verify request in a prompt, or undefined when the prompt is no verify request. */
export function readVerifyPrompt(prompt: string): VerifyPrompt | undefined {
  const head = HEAD.exec(prompt);
  if (!head) return undefined;
  const lines = prompt.split("\n");
  const findingLines = blockAfter(lines, "Finding:");
  const codeLines = blockAfter(lines, "Code (each line is prefixed");
  if (!findingLines || !codeLines) return undefined;
  let finding: VerifyPrompt["finding"] = {};
  try {
    finding = JSON.parse(findingLines.join("\n")) as VerifyPrompt["finding"];
  } catch {
    finding = {};
  }
  const code = codeLines.flatMap((l) => {
    const m = NUMBERED.exec(l);
    return m ? [{ line: Number(m[1]), text: m[2] ?? "" }] : [];
  });
  return { path: head[1]!, language: head[2]!, finding, code };
}

/** The verifier's answer text for `behaviour` to a verify request. */
export function verifyAnswer(behaviour: VerifyBehaviour, request: VerifyPrompt): string {
  const { finding, code } = request;
  const start = finding.line_start ?? 0;
  const end = Math.max(start, finding.line_end ?? start);
  const named = code.filter((c) => c.line >= start && c.line <= end);
  const quote = (named.find((c) => c.text.trim() !== "") ?? code.find((c) => c.text.trim() !== ""))?.text.trim() ?? "";
  const answer = (disposition: string, reason: string, evidence: string) => JSON.stringify({ disposition, reason, evidence }, null, 2);
  switch (behaviour) {
    case "verify-confirm-all":
      return answer("confirmed", `Line ${start} shows what the finding describes.`, quote);
    case "verify-refute-all":
      return answer("refuted", `Line ${start} is ordinary logic; the claim does not hold.`, quote);
    case "verify-uncertain":
      return answer("uncertain", "The code shown does not settle it: the callers are not visible.", "");
    case "verify-bad-quote":
      return answer("confirmed", "The defect is plain.", "let secret = compute_magic();");
    case "verify-real": {
      const defects = new Set(visibleDefects(code, request.language).map((v) => v.line.line));
      const real = named.find((c) => defects.has(c.line));
      return real
        ? answer("confirmed", `Line ${real.line} holds the defect: ${finding.title ?? "as reported"}.`, real.text.trim())
        : answer("refuted", `Lines ${start}–${end} hold working logic; nothing there matches "${finding.title ?? "the claim"}".`, quote);
    }
  }
}
