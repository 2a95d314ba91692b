/**
 * Cheap text triggers: a shard whose text holds none of them cannot make any rule fire, so it is not parsed at all.
 * Parsing is the static rung's main cost (web-tree-sitter runs at a few MB/s), and most shards are clean.
 * Every trigger is a superset of what its rule looks for: it may let a shard through that yields nothing, never
 * the reverse.
 */
const TRIGGERS: RegExp[] = [
  /\b(?:todo|unimplemented)!|NotImplementedError|TODO|FIXME|XXX|HACK|dbg!|debugger|breakpoint\(|set_trace\(/,
  /not (?:yet )?implemented/i,
  /allow\s*\(|no-unused-vars|noqa/,
  // An empty catch block (comments allowed) or a `.catch(` whose handler has an empty body.
  /\bcatch\s*(?:\([^()]*\))?\s*\{(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*\}|\.catch\([\s\S]{0,80}?\{\s*\}/,
  // An except clause whose first statement is pass or `...`.
  /\bexcept\b[^\n]*:(?:\s|#[^\n]*)*(?:pass|\.\.\.)/,
  /\bErr\s*\(\s*\w*\s*\)\s*=>|!=\s*nil\s*\{\s*\}|_\s*=\s*\w*[eE]rr\b/,
];
/** placeholder-return needs a return and a hint word; it never fires in test files. */
const RETURN_HINT = /\b(?:for now|placeholder|stub(?:bed)?|hard-?coded|temporar(?:y|ily)|dummy|fake)\b/i;
const IMPORT_LINE = /^\s*(?:import\b|from\s+\S+\s+import\b|(?:pub(?:\([^)]*\))?\s+)?use\s|(?:const|let|var)\s[^=]*=\s*require\(|(?:\w+\s+)?"[^"\s]+"\s*$)/;
const TOKEN = /[\w$@./:-]+/g;
const KEYWORDS = new Set(["import", "from", "use", "pub", "type", "as", "const", "let", "var", "require", "crate", "self", "super"]);

/** True when some rule could fire on this text: a marker, an empty handler, a hint word, or a token shared by two import lines. */
export function mayHaveFindings(text: string): boolean {
  if (TRIGGERS.some((t) => t.test(text)) || RETURN_HINT.test(text)) return true;
  const seen = new Set<string>();
  for (const line of text.split("\n")) {
    if (!IMPORT_LINE.test(line)) continue;
    const tokens = new Set((line.match(TOKEN) ?? []).filter((t) => !KEYWORDS.has(t)));
    for (const t of tokens) {
      if (seen.has(t)) return true;
      seen.add(t);
    }
  }
  return false;
}
