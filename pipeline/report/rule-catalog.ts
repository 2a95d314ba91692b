/**
 * What each report rule claims and how to fix it: one entry per static rule (read from the static rung's rule table
 * at runtime, so a rule added or renamed there is described here without a copy), one per finding category for
 * model findings, and `unreviewed`. SARIF's reportingDescriptors, the reviewdog and Code Quality texts come from here.
 */
import { RULES, type Rule } from "../static/rules";
import type { FindingCategory, Severity } from "../../domain/verdict";
import type { ReportFinding } from "./iteration-report";
import categoryTexts from "./sarif-rules.json";

/** Every finding category except `verified_components`: proof of life is not a problem. */
export type ProblemCategory = Exclude<FindingCategory, "verified_components">;
export type ReportRuleKind = "category" | "static" | "coverage";

export interface ReportRule {
  id: string;
  kind: ReportRuleKind;
  /** A PascalCase name, different from the id (SARIF wants the two distinct). */
  name: string;
  short: string;
  full: string;
  /** What to do about a finding of this rule, one sentence. */
  fix: string;
  /** Markdown: what the rule claims, how to fix it, how to dismiss it when it is intended. */
  helpMarkdown: string;
  /** The severity the rule's findings carry unless a hit overrides it; null when findings bring their own. */
  severity: Severity | null;
  confidence: number | null;
  category: ProblemCategory | null;
}

interface CategoryText {
  name: string;
  short: string;
  full: string;
  help: string;
}
// Typed against the ids, so a category without its text (or a stray one) fails the type-check.
const CATEGORY_TEXTS: Record<ProblemCategory | "unreviewed", CategoryText> = categoryTexts;
export const PROBLEM_CATEGORIES: ProblemCategory[] = ["critical_failures", "pseudocode_flags", "prd_mismatches", "broken_pipelines", "missing_components", "risk_points"];
export const UNREVIEWED_RULE = "unreviewed";

const DISMISS_HINT = "If the code is right as it is, `scrum dismiss FINGERPRINT --reason \"why\"` keeps the finding out of verdicts, metrics and later reports while its fingerprint persists.";

/** The rule a finding is reported under: its static rule id, else its category. */
export function ruleIdOf(f: Pick<ReportFinding, "rule" | "category">): string {
  return f.rule ?? f.category;
}

/** The rules of a report: every category, `unreviewed`, every rule of the static table, then rule ids found in `findings` that the table no longer has. */
export function reportRules(findings: readonly Pick<ReportFinding, "rule" | "category" | "title">[]): ReportRule[] {
  const rules = [...PROBLEM_CATEGORIES.map(categoryRule), unreviewedRule(), ...Object.entries(RULES).map(([id, r]) => staticRule(id, r))];
  const known = new Set(rules.map((r) => r.id));
  const unknown = new Map<string, Pick<ReportFinding, "category" | "title">>();
  for (const f of findings) {
    if (f.rule !== null && !known.has(f.rule) && !unknown.has(f.rule)) unknown.set(f.rule, f);
  }
  const extra = [...unknown.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, f]) => retiredRule(id, f.category));
  return [...rules, ...extra];
}

function categoryRule(category: ProblemCategory): ReportRule {
  const t = CATEGORY_TEXTS[category];
  return {
    id: category,
    kind: "category",
    name: t.name,
    short: t.short,
    full: t.full,
    fix: t.help,
    helpMarkdown: [
      `**What it claims.** A model reviewer of scrumloop's ladder reported this as *${t.short.toLowerCase()}*: ${t.full} The title says what it saw; the evidence is the code it quoted (checked against the file: an unverified quote is reported one level lower).`,
      `**How to fix it.** ${t.help}`,
      `**When it is intended.** ${DISMISS_HINT}`,
    ].join("\n\n"),
    severity: null,
    confidence: null,
    category,
  };
}

function unreviewedRule(): ReportRule {
  const t = CATEGORY_TEXTS.unreviewed;
  return {
    id: UNREVIEWED_RULE,
    kind: "coverage",
    name: "UnreviewedFile",
    short: t.short,
    full: t.full,
    fix: t.help,
    helpMarkdown: [`**What it claims.** ${t.full}`, `**How to fix it.** ${t.help}`].join("\n\n"),
    severity: "medium",
    confidence: null,
    category: null,
  };
}

function staticRule(id: string, r: Rule): ReportRule {
  const category = r.category === "verified_components" ? null : r.category;
  const area = category ? CATEGORY_TEXTS[category] : null;
  const fix = `${r.action}. Then re-review the file (\`scrum run --changed\`).`;
  return {
    id,
    kind: "static",
    name: pascalCase(id),
    short: r.title,
    full: `${r.title}. Reported by scrumloop's static rung (deterministic heuristics, no model) as ${area ? area.short.toLowerCase() : r.category}, severity ${r.severity}, confidence ${r.confidence}.`,
    fix,
    helpMarkdown: [
      `**What it claims.** ${r.title}: the static rule \`${id}\` matched the quoted code.${area ? ` It belongs to *${area.short.toLowerCase()}*: ${area.full}` : ""} A pattern match is not a proof: confidence ${r.confidence} of 100.`,
      `**How to fix it.** ${fix}`,
      `**When it is intended.** ${DISMISS_HINT}`,
    ].join("\n\n"),
    severity: r.severity,
    confidence: r.confidence,
    category,
  };
}

/** A rule id stored in the KB that the current rule table does not have (renamed or removed since): described by its category. */
function retiredRule(id: string, category: FindingCategory): ReportRule {
  const problem = category === "verified_components" ? null : category;
  const area = problem ? CATEGORY_TEXTS[problem] : null;
  const fix = area ? area.help : "Read the finding's title and evidence, fix the code, then re-review the file.";
  return {
    id,
    kind: "static",
    name: pascalCase(id),
    short: `${area ? area.short : category} (rule ${id})`,
    full: `Findings of the static rule \`${id}\`, which this version of scrum's rule table no longer describes (renamed or removed after the finding was stored).${area ? ` ${area.full}` : ""}`,
    fix,
    helpMarkdown: [`**What it claims.** The static rule \`${id}\` matched the quoted code; the title says what it saw.${area ? ` ${area.full}` : ""}`, `**How to fix it.** ${fix}`, `**When it is intended.** ${DISMISS_HINT}`].join("\n\n"),
    severity: null,
    confidence: null,
    category: problem,
  };
}

function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}
