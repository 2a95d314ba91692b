/** The static rung's rules by id: the KB counts each one per iteration (static_<rule>), pipeline/static/rules.ts defines them. */
export const RULE_IDS = [
  "stub-macro",
  "stub-raise",
  "stub-throw",
  "placeholder-return",
  "dead-code-allowed",
  "fixme-marker",
  "todo-comment",
  "empty-catch",
  "swallowed-except",
  "discarded-error",
  "debug-leftover",
  "duplicate-import",
  "duplicate-import-redeclared",
  "doc-placeholder",
] as const;
export type RuleId = (typeof RULE_IDS)[number];
