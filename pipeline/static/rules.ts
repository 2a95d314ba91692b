/** The static rung's rule table: what each heuristic reports, where, how severe and how sure. Detectors live next door. */
import type { RuleId } from "../../domain/rules";
import type { FindingCategory, Severity } from "../../domain/verdict";
import type { Node } from "web-tree-sitter";
import type { LineView } from "./source";

export interface Rule {
  category: FindingCategory;
  /** The severity its findings carry: earned on the evaluation set (medium/high raise a file's verdict), else low. */
  severity: Severity;
  /** The severity the rule's claim would deserve if it held and mattered; a repository may promote it with `[static] raise`. */
  claimed: Severity;
  confidence: number;
  /** What the rule claims, in one line (docs/STATIC.md lists the same). */
  claim: string;
  /** Finding title; a hit may add a detail after it. */
  title: string;
  /** Next action, completed with " at line N" / " at lines N, M". */
  action: string;
}

/**
 * Every rule, with the category, severity and confidence its findings carry. `critical_failures` only for what
 * breaks behaviour when reached (a stub that panics or raises, an import that does not compile).
 *
 * Severity is earned: a rule is `medium`/`high` (raises a file's verdict) only when its findings on the evaluation
 * set (scripts/corpus/eval-repos.json, repositories no rule was written against) are ones a maintainer would act on,
 * precision >= 0.8 with a 95% Wilson lower bound >= 0.6 (tests/static/earned-severity.test.ts checks the committed
 * labels). None has earned it yet, so every rule is `low`: informational, listed and counted per iteration, never
 * changing the verdict or `scrum flagged`. A repository that wants a rule to raise anyway (agent-written code, where a
 * `todo!()` is exactly what to catch) names it in `[static] raise`; its findings then carry `claimed`.
 * Measured by `bun scripts/bench-precision.ts`; see docs/STATIC.md.
 */
export const RULES: Record<RuleId, Rule> = {
  "stub-macro": {
    category: "critical_failures", severity: "low", claimed: "high", confidence: 95,
    claim: "todo!()/unimplemented!() is left in code and panics when reached",
    title: "Stub macro left in code", action: "Implement the stubbed code (todo!/unimplemented!)",
  },
  "stub-raise": {
    category: "critical_failures", severity: "low", claimed: "high", confidence: 90,
    claim: "a function (not a class's interface method) whose whole body raises NotImplementedError",
    title: "Function body only raises NotImplementedError", action: "Implement the function that raises NotImplementedError",
  },
  "stub-throw": {
    category: "critical_failures", severity: "low", claimed: "high", confidence: 90,
    claim: "a function whose whole body throws/panics/returns an error saying \"not implemented\" or TODO",
    title: "Function body only throws \"not implemented\"", action: "Implement the function that throws \"not implemented\"",
  },
  "placeholder-return": {
    category: "pseudocode_flags", severity: "low", claimed: "medium", confidence: 75,
    claim: "a hard-coded return whose own comment calls it a placeholder, stub, dummy or \"for now\"",
    title: "Returns a hard-coded placeholder value", action: "Replace the hard-coded placeholder return with the real computation",
  },
  "dead-code-allowed": {
    category: "pseudocode_flags", severity: "low", claimed: "medium", confidence: 80,
    claim: "an unused-code lint is silenced (#[allow(dead_code)], no-unused-vars, noqa F841) without a stated reason",
    title: "Dead code kept for later (lint silenced)", action: "Remove the dead code or wire it up, then drop the lint allowance",
  },
  "fixme-marker": {
    category: "pseudocode_flags", severity: "low", claimed: "low", confidence: 70,
    claim: "a FIXME/XXX/HACK marker in a code comment",
    title: "FIXME/XXX/HACK comment", action: "Resolve the FIXME/XXX/HACK",
  },
  "todo-comment": {
    category: "pseudocode_flags", severity: "low", claimed: "low", confidence: 70,
    claim: "a TODO marker in a code comment",
    title: "TODO comment", action: "Resolve the TODO or track it outside the code",
  },
  "empty-catch": {
    category: "risk_points", severity: "low", claimed: "medium", confidence: 85,
    claim: "a catch block / Err arm / err check with no statement swallows every error (non-test code)",
    title: "Error handler with an empty body swallows the error", action: "Handle, log or propagate the swallowed error",
  },
  "swallowed-except": {
    category: "risk_points", severity: "low", claimed: "medium", confidence: 85,
    claim: "a bare/Exception/BaseException except whose body only passes, with no comment saying why (non-test code)",
    title: "Broad except that only passes", action: "Narrow the except clause and handle or re-raise the error",
  },
  "discarded-error": {
    category: "risk_points", severity: "low", claimed: "medium", confidence: 80,
    claim: "Go `_ = err`, or the error of a parse/decode/read call (`_ = json.Unmarshal(…)`, `n, _ := strconv.Atoi(s)`) thrown away",
    title: "Error value discarded", action: "Handle or return the discarded error",
  },
  "debug-leftover": {
    category: "risk_points", severity: "low", claimed: "medium", confidence: 90,
    claim: "a debugger statement (debugger;, breakpoint(), pdb.set_trace(), dbg!) is left in code",
    title: "Debugging statement left in code", action: "Remove the leftover debugging statement",
  },
  "duplicate-import": {
    category: "risk_points", severity: "low", claimed: "low", confidence: 90,
    claim: "a module (or one name of it) is imported again in the same form; harmless, merge it",
    title: "Duplicate import", action: "Merge the duplicate import into the first one",
  },
  "duplicate-import-redeclared": {
    category: "critical_failures", severity: "low", claimed: "high", confidence: 90,
    claim: "an import binds a name an earlier import already bound: the file does not compile or load",
    title: "Duplicate import (the name is declared twice and does not compile)", action: "Remove the duplicate import",
  },
  "doc-placeholder": {
    category: "pseudocode_flags", severity: "low", claimed: "medium", confidence: 85,
    claim: "placeholder text stands where documentation should be (!!!, lorem ipsum, \"we need to update this\", a bare TBD/WIP); markers are low and ignored in changelogs and release checklists",
    title: "Placeholder text in documentation", action: "Replace the placeholder text in the documentation",
  },
};

/** One place a rule fired, in shard-relative 0-based lines. The evidence is cut from `line`. */
export interface Hit {
  rule: RuleId;
  line: number;
  /** Last line of a multi-line construct (an empty catch block, a grouped import); defaults to `line`. */
  endLine?: number;
  /** The line to quote when it is not `line` (a multi-line import quotes its `from "x"` line). */
  evidenceLine?: number;
  /** Where on the quoted line the marker sits, so long lines are quoted around it. */
  column?: number;
  detail?: string;
  /** Overrides the rule's severity (a stub inside a test is less severe). */
  severity?: Severity;
}

/** What every detector reads: the shard's lines split into views, and which lines are test code. */
export interface ScanInput {
  path: string;
  language: string;
  /** File line of the shard's first line, for details that name another line. */
  lineStart: number;
  /** The shard's text, for a detector's own cheap pre-check before it walks the tree. */
  text: string;
  views: LineView[];
  testLines: boolean[];
  /** The shard's syntax tree, when its language has a grammar; detectors that need syntax read it. */
  root?: Node;
}

export type Detector = (input: ScanInput) => Hit[];
