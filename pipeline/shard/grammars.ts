/** Tree-sitter grammars: the runtime is initialised once and each grammar is loaded once per process. */
import { createRequire } from "node:module";
import { Language, Parser, type Tree } from "web-tree-sitter";

/** Languages (as named by `languageOf`) that have a grammar in @vscode/tree-sitter-wasm, and its file stem. */
const GRAMMAR_FILES: Record<string, string> = {
  typescript: "typescript",
  tsx: "tsx",
  javascript: "javascript",
  rust: "rust",
  python: "python",
  go: "go",
  java: "java",
  // The package ships no C grammar; the C++ grammar parses ordinary C well enough to find functions.
  c: "cpp",
  cpp: "cpp",
  csharp: "c-sharp",
  ruby: "ruby",
  php: "php",
  bash: "bash",
};

const resolve = createRequire(import.meta.url).resolve;
let runtime: Promise<void> | undefined;
const parsers = new Map<string, Promise<Parser>>();

/** True when `language` is parsed with tree-sitter. */
export function hasGrammar(language: string): boolean {
  return language in GRAMMAR_FILES;
}

/** The parser for `language`, created on first use; later calls reuse the same Language and Parser. */
export function parserFor(language: string): Promise<Parser> {
  const stem = GRAMMAR_FILES[language];
  if (stem === undefined) throw new Error(`no tree-sitter grammar for language "${language}"; expected one of: ${Object.keys(GRAMMAR_FILES).join(", ")}`);
  let parser = parsers.get(stem);
  if (parser === undefined) {
    parser = loadParser(stem);
    parsers.set(stem, parser);
    // A failed load is not cached: the next file retries and reports its own error.
    parser.catch(() => parsers.delete(stem));
  }
  return parser;
}

async function loadParser(stem: string): Promise<Parser> {
  runtime ??= Parser.init();
  await runtime;
  const path = resolve(`@vscode/tree-sitter-wasm/wasm/tree-sitter-${stem}.wasm`);
  const parser = new Parser();
  parser.setLanguage(await Language.load(path));
  return parser;
}

/**
 * One parse of a text that several readers share (the static floor and the outline of a one-shard file): `tree()`
 * parses on the first call and returns the same tree after it. Only a reader of this very `text` may use it.
 */
export interface SharedTree {
  text: string;
  tree: () => Promise<Tree>;
}

/**
 * Hand `use` a SharedTree of `text`, parsed only if `use` asks for it; the tree is freed once `use` has settled,
 * whatever it does. `use` may await: the tree belongs to this call alone (the shared Parser is only used to parse).
 */
export async function withSharedTree<T>(language: string, text: string, use: (shared: SharedTree) => Promise<T>): Promise<T> {
  let parsed: Promise<Tree> | undefined;
  const tree = () =>
    (parsed ??= parserFor(language).then((parser) => {
      const t = parser.parse(text);
      if (t === null) throw new Error(`tree-sitter returned no tree for a ${language} file`);
      return t;
    }));
  try {
    return await use({ text, tree });
  } finally {
    const done = await parsed?.catch(() => undefined);
    done?.delete();
  }
}

/** Parse `text` and hand the tree to `use`; the tree is freed afterwards, whatever `use` does. */
export async function withTree<T>(language: string, text: string, use: (tree: Tree) => T): Promise<T> {
  const parser = await parserFor(language);
  // No await between parse and use: concurrent callers share one Parser per grammar.
  const tree = parser.parse(text);
  if (tree === null) throw new Error(`tree-sitter returned no tree for a ${language} file`);
  try {
    return use(tree);
  } finally {
    tree.delete();
  }
}
