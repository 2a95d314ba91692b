/** The static rung's rule table: what each heuristic reports, where, how severe and how sure. Detectors live next door. */
import type { FindingCategory, Severity } from "../verdict/verdict";
import type { LineView } from "./source";

export type RuleId =
  | "stub-macro"
  | "stub-raise"
  | "stub-throw"
  | "placeholder-return"
  | "stub-identifier"
  | "dead-code-allowed"
  | "fixme-comment"
  | "todo-comment"
  | "empty-catch"
  | "swallowed-except"
  | "swallowed-except-specific"
  | "discarded-error"
  | "debug-leftover"
  | "duplicate-import"
  | "duplicate-import-redeclared"
  | "doc-placeholder";

export interface Rule {
  category: FindingCategory;
  severity: Severity;
  confidence: number;
  /** Finding title; a hit may add a detail after it. */
  title: string;
  /** Next action, completed with " at line N" / " at lines N, M". */
  action: string;
}

/** Every rule, with the category, severity and confidence its findings carry. */
export const RULES: Record<RuleId, Rule> = {
  "stub-macro": {
    category: "pseudocode_flags", severity: "high", confidence: 95,
    title: "Stub macro left in code", action: "Implement the stubbed code (todo!/unimplemented!)",
  },
  "stub-raise": {
    category: "pseudocode_flags", severity: "high", confidence: 90,
    title: "Function raises NotImplementedError", action: "Implement the function that raises NotImplementedError",
  },
  "stub-throw": {
    category: "pseudocode_flags", severity: "high", confidence: 90,
    title: "Throws a \"not implemented\" error", action: "Implement the code path that throws \"not implemented\"",
  },
  "placeholder-return": {
    category: "pseudocode_flags", severity: "medium", confidence: 75,
    title: "Returns a hard-coded placeholder value", action: "Replace the hard-coded placeholder return with the real computation",
  },
  "stub-identifier": {
    category: "pseudocode_flags", severity: "medium", confidence: 60,
    title: "Stub/fake/placeholder marker in non-test code", action: "Replace the stub, fake or placeholder in production code",
  },
  "dead-code-allowed": {
    category: "pseudocode_flags", severity: "medium", confidence: 80,
    title: "Dead code kept for later (lint silenced)", action: "Remove the dead code or wire it up, then drop the lint allowance",
  },
  "fixme-comment": {
    category: "pseudocode_flags", severity: "medium", confidence: 70,
    title: "FIXME/XXX/HACK comment marks known-broken code", action: "Resolve the FIXME/XXX/HACK",
  },
  "todo-comment": {
    category: "pseudocode_flags", severity: "low", confidence: 70,
    title: "TODO comment", action: "Resolve the TODO or track it outside the code",
  },
  "empty-catch": {
    category: "risk_points", severity: "medium", confidence: 85,
    title: "Error handler with an empty body swallows the error", action: "Handle, log or propagate the swallowed error",
  },
  "swallowed-except": {
    category: "risk_points", severity: "medium", confidence: 85,
    title: "Broad except that only passes", action: "Narrow the except clause and handle or re-raise the error",
  },
  "swallowed-except-specific": {
    category: "risk_points", severity: "low", confidence: 60,
    title: "except clause that only passes", action: "Confirm the ignored exception is expected, and say why in a comment",
  },
  "discarded-error": {
    category: "risk_points", severity: "medium", confidence: 80,
    title: "Error value discarded", action: "Handle or return the discarded error",
  },
  "debug-leftover": {
    category: "risk_points", severity: "medium", confidence: 90,
    title: "Debugging statement left in code", action: "Remove the leftover debugging statement",
  },
  "duplicate-import": {
    category: "critical_failures", severity: "medium", confidence: 90,
    title: "Duplicate import", action: "Merge the duplicate import into the first one",
  },
  "duplicate-import-redeclared": {
    category: "critical_failures", severity: "high", confidence: 90,
    title: "Duplicate import (the name is declared twice and does not compile)", action: "Remove the duplicate import",
  },
  "doc-placeholder": {
    category: "critical_failures", severity: "medium", confidence: 85,
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
  views: LineView[];
  testLines: boolean[];
}

export type Detector = (input: ScanInput) => Hit[];
