/**
 * "Not my code": vendored, generated and minified files, which a review of this repository should skip with a
 * reason. Signals, in order: `.gitattributes` linguist-vendored / linguist-generated, the usual vendor folders,
 * `*.min.*` and lockfiles by name, a generated / DO NOT EDIT header, and an average line too long for hand-written code.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import ignore, { type Ignore } from "ignore";
import { RepositoryRoots } from "./repository-roots";

const VENDOR_DIRS = new Set(["vendor", "vendors", "third_party", "third-party", "thirdparty", "node_modules", "bower_components", "external", "extern"]);
const MINIFIED_NAME = /\.min\.[a-z0-9]+$|[-.]bundle\.js$/i;
const LOCKFILES = new Set([
  "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "bun.lockb", "Cargo.lock",
  "poetry.lock", "Pipfile.lock", "uv.lock", "go.sum", "Gemfile.lock", "composer.lock", "flake.lock",
]);
/** Build tools' wrapper scripts, written by `gradle wrapper` and `mvn wrapper:wrapper`, swept by their `#!` line. */
const WRAPPER_SCRIPTS = new Set(["gradlew", "mvnw"]);
/**
 * The generated-code convention (Go's `// Code generated … DO NOT EDIT.`, protoc, @generated) in the first lines, as
 * the statement a line's comment opens with, or a DO NOT EDIT that ends its sentence. A comment that only mentions the
 * convention ("skips a generated / DO NOT EDIT header") is prose about it, not a header.
 */
const COMMENT_LEAD = /^\s*(?:\/\/+!?|#+!?|\/\*+!?|\*+|--+|;+|<!--|"""|'''|%+)?\s*/;
const COMMENT_TAIL = /\s*(?:\*\/|-->|"""|''')?\s*$/;
const GENERATED_STATEMENT = /^(?:Code generated\b|@generated\b|<?auto-?generated\b|generated (?:by|from)\b|This (?:file|code) (?:is|was|has been) (?:automatically |auto-?)?generated\b)/i;
/** Upper case at the start of the comment; in any case where it ends its sentence or says "this file", "manually". */
const DO_NOT_EDIT_LEAD = /^DO NOT EDIT\b/;
const DO_NOT_EDIT_SENTENCE = /\bdo not edit(?:[.!]|$|\s+(?:this (?:file|code)|manually|by hand)\b)/i;
const HEADER_LINES = 5;
/** An average line longer than this (over files of some size) is minified or machine-written. */
const MAX_AVERAGE_LINE = 300;
const MIN_BYTES_FOR_AVERAGE = 2000;

/** Reads .gitattributes files up to the repository root, once each. */
export class VendoredCheck {
  private readonly cache = new Map<string, { vendored: Ignore; generated: Ignore } | null>();
  /** Whether a folder holds `.git` (the walk up stops there), asked once a folder, not once a file. */
  private readonly roots = new RepositoryRoots();

  /** Why the file is not this repository's own code, or null when it is. */
  reason(absPath: string, text: string): string | null {
    const name = basename(absPath);
    const attribute = this.attribute(absPath);
    if (attribute) return attribute;
    const dir = dirname(absPath).split(sep).find((part) => VENDOR_DIRS.has(part));
    if (dir) return `vendored: under a ${dir}/ folder ([sweep] skip_vendored)`;
    if (LOCKFILES.has(name)) return "generated: a lockfile ([sweep] skip_vendored)";
    if (WRAPPER_SCRIPTS.has(name)) return "generated: a build tool's wrapper script ([sweep] skip_vendored)";
    if (MINIFIED_NAME.test(name)) return "minified: the name says so ([sweep] skip_vendored)";
    const generated = generatedHeader(text);
    if (generated) return `generated: the header says "${generated}" ([sweep] skip_vendored)`;
    if (text.length < MIN_BYTES_FOR_AVERAGE) return null;
    const lines = text.split("\n").length;
    if (text.length / lines > MAX_AVERAGE_LINE) {
      return `minified: ${Math.round(text.length / lines)} characters per line on average ([sweep] skip_vendored)`;
    }
    return null;
  }

  /** linguist-vendored / linguist-generated from the .gitattributes of each folder up to the repository root. */
  private attribute(absPath: string): string | null {
    let dir = dirname(absPath);
    while (true) {
      const rules = this.load(dir);
      if (rules) {
        const rel = relative(dir, absPath).split(sep).join("/");
        if (rules.vendored.ignores(rel)) return `vendored: linguist-vendored in ${join(dir, ".gitattributes")}`;
        if (rules.generated.ignores(rel)) return `generated: linguist-generated in ${join(dir, ".gitattributes")}`;
      }
      if (this.roots.isRoot(dir)) return null;
      const parent = dirname(dir);
      if (parent === dir) return null;
      dir = parent;
    }
  }

  private load(dir: string): { vendored: Ignore; generated: Ignore } | null {
    if (this.cache.has(dir)) return this.cache.get(dir) ?? null;
    const file = join(dir, ".gitattributes");
    const rules = existsSync(file) ? parseGitattributes(readFileSync(file, "utf8")) : null;
    this.cache.set(dir, rules);
    return rules;
  }
}

/** The patterns marked linguist-vendored and linguist-generated (set, `=true`); `-attr` and `=false` unset them. */
export function parseGitattributes(text: string): { vendored: Ignore; generated: Ignore } {
  const vendored: string[] = [];
  const generated: string[] = [];
  for (const line of text.split("\n")) {
    const [pattern, ...attrs] = line.trim().split(/\s+/);
    if (!pattern || pattern.startsWith("#")) continue;
    for (const a of attrs) {
      const m = /^(-?)linguist-(vendored|generated)(?:=(true|false))?$/.exec(a);
      if (!m) continue;
      const on = m[1] !== "-" && m[3] !== "false";
      const list = m[2] === "vendored" ? vendored : generated;
      if (on) list.push(pattern);
      else list.push(`!${pattern}`);
    }
  }
  return { vendored: ignore().add(vendored), generated: ignore().add(generated) };
}

/** The first of the first lines that declares the file generated, without its comment markers; null when none does. */
export function generatedHeader(text: string): string | null {
  for (const line of text.split("\n", HEADER_LINES)) {
    const body = line.replace(COMMENT_LEAD, "").replace(COMMENT_TAIL, "");
    if (GENERATED_STATEMENT.test(body) || DO_NOT_EDIT_LEAD.test(body) || DO_NOT_EDIT_SENTENCE.test(body)) return body.length > 100 ? `${body.slice(0, 100)}…` : body;
  }
  return null;
}
