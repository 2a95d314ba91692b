/** Prompt templates: the wording lives in prompts/*.md; code only fills in `{{name}}` values and `{{#name}}…{{/name}}` sections. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** The shipped prompts folder (the repository's prompts/). */
const PROMPTS_DIR = resolve(import.meta.dir, "../../prompts");
const loaded = new Map<string, string>();

/** A shipped template by file name (`shard.md`), read once per process. */
export function shippedTemplate(name: string): string {
  let text = loaded.get(name);
  if (text === undefined) {
    text = readFileSync(resolve(PROMPTS_DIR, name), "utf8");
    loaded.set(name, text);
  }
  return text;
}

/**
 * Fill a template. `<!-- … -->` comments are for the template's readers and are dropped; a section is kept only when
 * its value is non-empty. Values are inserted in one pass after the template is resolved, so a value that contains
 * `{{…}}` (code often does) stays as it is. A placeholder with no value is a bug in the caller and throws.
 */
export function renderTemplate(template: string, values: Record<string, string>): string {
  const resolved = withoutComments(template)
    .replace(/\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_all, name: string, inner: string) => (values[name] ? inner : ""));
  return resolved.replace(/\{\{(\w+)\}\}/g, (_all, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`bug: template placeholder {{${name}}} has no value; given: ${Object.keys(values).join(", ")}`);
    return value;
  });
}

/** Templates without their comments, by template: every shard request renders the same two. */
const uncommented = new Map<string, string>();
/** More templates than a run renders (a handful) means a caller makes them up; the cache starts over rather than grow. */
const MAX_UNCOMMENTED = 64;

function withoutComments(template: string): string {
  let text = uncommented.get(template);
  if (text === undefined) {
    if (uncommented.size >= MAX_UNCOMMENTED) uncommented.clear();
    text = template.replace(/<!--[\s\S]*?-->\n?/g, "");
    uncommented.set(template, text);
  }
  return text;
}
