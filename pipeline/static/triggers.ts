/**
 * Cheap text triggers, one per detector: a detector whose trigger is absent from the shard's text cannot fire, so it
 * is not run, and a shard with no trigger at all is not parsed. Parsing is the static rung's main cost
 * (web-tree-sitter runs at a few MB/s) and most shards are clean. Every trigger is a superset of what its detector
 * looks for: it may let a shard through that yields nothing, never the reverse.
 */

/** A test on a shard's whole text. */
export type Trigger = (text: string) => boolean;

const has = (pattern: RegExp): Trigger => (text) => pattern.test(text);

export const STUB_MACRO_TRIGGER = has(/\b(?:todo|unimplemented)!/);
/** `raise NotImplementedError`, or a throw whose message says not implemented / unimplemented / todo (any case). */
export const STUB_FUNCTION_TRIGGER = has(/NotImplementedError|not (?:yet )?implemented|unimplemented|todo/i);
/** placeholder-return needs a hint word in a comment. */
export const PLACEHOLDER_RETURN_TRIGGER = has(/\b(?:for now|placeholder|stub(?:bed)?|hard-?coded|temporar(?:y|ily)|dummy|fake)\b/i);
export const DEAD_CODE_TRIGGER = has(/allow\s*\(|no-unused-vars|noqa/);
export const MARKER_TRIGGER = has(/TODO|FIXME|XXX|HACK/);
/** An empty catch block (comments allowed), a `.catch(` whose handler has an empty body, an `Err(_) =>` arm, an empty err check. */
export const EMPTY_HANDLER_TRIGGER = has(/\bcatch\s*(?:\([^()]*\))?\s*\{(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*\}|\.catch\([\s\S]{0,80}?\{\s*\}|\bErr\s*\(\s*\w*\s*\)\s*=>|!=\s*nil\s*\{\s*\}/);
/** An except clause whose first statement is pass or `...`. */
export const SWALLOWED_EXCEPT_TRIGGER = has(/\bexcept\b[^\n]*:(?:\s|#[^\n]*)*(?:pass|\.\.\.)/);
/** `_ = err`, or a call of a function whose error must be checked (handlers.ts MUST_CHECK, by name). */
export const DISCARDED_ERROR_TRIGGER = has(/_\s*=\s*\w*[eE]rr\b|\.(?:Atoi|Parse\w*|Unquote|Unmarshal|Load(?:Location)?|PathUnescape|QueryUnescape|Sscan\w*|ReadFile|Open(?:File)?|ReadDir|ReadAll|Decode(?:String)?)\s*\(/);
export const DEBUG_TRIGGER = has(/dbg!|debugger|breakpoint\(|set_trace\(/);
/** Placeholder text in prose; case-insensitive, so a superset of the case-sensitive markers. */
export const DOC_PLACEHOLDER_TRIGGER = has(/!!!|TODO|FIXME|XXX|TBD|WIP|we need to|lorem ipsum|insert/i);

const IMPORT_LINE = /^\s*(?:import\b|from\s+\S+\s+import\b|(?:pub(?:\([^)]*\))?\s+)?use\s|(?:const|let|var)\s[^=]*=\s*require\(|(?:\w+\s+)?"[^"\s]+"\s*$)/;
const IMPORT_LINES = new RegExp(IMPORT_LINE.source, "gm");
const TOKEN = /[\w$@./:-]+/g;
const KEYWORDS = new Set(["import", "from", "use", "pub", "type", "as", "const", "let", "var", "require", "crate", "self", "super"]);

/** Two import lines sharing a token (a module path or a name): a duplicate import is possible. */
export const DUPLICATE_IMPORT_TRIGGER: Trigger = (text) => {
  const seen = new Set<string>();
  // One global scan for import lines instead of splitting the whole shard: most lines are not imports.
  for (const m of text.matchAll(IMPORT_LINES)) {
    // The match may stop inside its line (`import` of `import {a} from "x"`): read on to the line's end.
    const end = text.indexOf("\n", m.index + m[0].length);
    const line = text.slice(m.index, end < 0 ? undefined : end);
    const tokens = new Set((line.match(TOKEN) ?? []).filter((t) => !KEYWORDS.has(t)));
    for (const t of tokens) {
      if (seen.has(t)) return true;
      seen.add(t);
    }
  }
  return false;
};
