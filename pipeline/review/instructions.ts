/**
 * Repository rules: the `[[instructions]]` of routing.toml. Each names globs (relative to the swept repository's root)
 * and a markdown file; a file the globs match gets that text in the system message of each of its shards, so a change
 * of the text is a changed prompt for the shard cache. The wording around it lives in prompts/instructions.md.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import type { InstructionRule } from "../config/config";
import { ConfigError } from "../../domain/errors";
import { renderTemplate, shippedTemplate } from "./template";


/** An instructions file read at the start of a run, with the globs that select its files. */
export interface LoadedInstructions {
  /** The file as `scrum show` names it: relative to the repository root when inside it, else absolute. */
  name: string;
  paths: string[];
  text: string;
  /** sha256 of the text, so a review says which version of the rules it used. */
  sha: string;
  globs: Bun.Glob[];
}

/** What the KB keeps of each instructions file a review used (the `file_reviews.instructions` JSON). */
export interface AppliedInstructions {
  file: string;
  sha: string;
  paths: string[];
}

/** Read every rule's file once; an unreadable or empty file is a ConfigError naming it. */
export function loadInstructions(rules: readonly InstructionRule[], root: string, read: (file: string) => string = (f) => readFileSync(f, "utf8")): LoadedInstructions[] {
  return rules.map((rule) => {
    let text: string;
    try {
      text = read(rule.file);
    } catch (e) {
      throw new ConfigError(`[[instructions]] file cannot be read: ${(e as Error).message}`, rule.file);
    }
    if (!text.trim()) throw new ConfigError(`[[instructions]] file is empty; write the review rules in it or remove the entry`, rule.file);
    const rel = relative(root, rule.file);
    return {
      name: rel.startsWith("..") || isAbsolute(rel) ? rule.file : rel,
      paths: [...rule.paths],
      text: text.trim(),
      sha: createHash("sha256").update(text).digest("hex"),
      globs: rule.paths.map((p) => new Bun.Glob(p)),
    };
  });
}

/** The instructions whose globs match `path` (relative to the repository root), in config order. */
export function instructionsFor(loaded: readonly LoadedInstructions[], path: string): LoadedInstructions[] {
  return loaded.filter((l) => l.globs.some((g) => g.match(path)));
}

/** The system message of a file's shards: the run's system prompt, then the rules that apply to the file. */
export function withInstructions(system: string, applied: readonly LoadedInstructions[], template = shippedTemplate("instructions.md")): string {
  if (applied.length === 0) return system;
  const rules = applied.map((l) => `### ${l.name}\n\n${l.text}`).join("\n\n");
  return `${system.trimEnd()}\n\n${renderTemplate(template, { rules }).trim()}\n`;
}

/** The KB's record of the rules a review used (JSON), or null when none applied. */
export function describeInstructions(applied: readonly LoadedInstructions[]): string | null {
  if (applied.length === 0) return null;
  const rows: AppliedInstructions[] = applied.map((l) => ({ file: l.name, sha: l.sha, paths: l.paths }));
  return JSON.stringify(rows);
}
