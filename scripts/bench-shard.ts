/**
 * Sharding benchmark: this sharder against a naive fixed-size splitter and LangChain's
 * RecursiveCharacterTextSplitter over real source on this machine. Reports throughput, shards per
 * file and the share of functions that fit in max_shard_chars yet were cut by a chunk boundary.
 *
 *   bun scripts/bench-shard.ts [--max 6000] [--threshold MAX] [--mb 20] [--json]
 *
 * Functions are found with tree-sitter by this script, independently of the sharder's own item logic.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { RecursiveCharacterTextSplitter, type SupportedTextSplitterLanguage } from "@langchain/textsplitters";
import { parserFor } from "../pipeline/shard/grammars";
import { splitLines } from "../pipeline/shard/lines";
import { languageOf, shardFile } from "../pipeline/shard/shard";

/** One corpus file. `label` groups the report (typescript, javascript, python, rust...). */
export interface CorpusFile {
  path: string;
  label: string;
  text: string;
}

export interface CorpusOptions {
  /** Megabytes of TypeScript and of JavaScript taken from node_modules (each). */
  jsMegabytes: number;
  /** Megabytes of Python and of Rust. */
  otherMegabytes: number;
  root: string;
}

const MAX_FILE_BYTES = 1_000_000;
/** Minified bundles have almost no lines to cut at; they say nothing about any splitter. */
const MAX_AVERAGE_LINE = 300;
const RUSTDOC_SRC = "/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/share/doc/rust/html/src";

/**
 * Real source found on this machine: TypeScript and JavaScript from node_modules, the Python
 * standard library, the Rust standard library (recovered from rustdoc's source pages), Go and
 * Markdown wherever they are. Deterministic: files are taken in a fixed pseudo-random order.
 */
export function collectCorpus(options: CorpusOptions): CorpusFile[] {
  const nodeModules = walk(join(options.root, "node_modules"), /\.(ts|tsx|js|mjs|cjs|md)$/);
  const groups: Array<[string, string[], number, (path: string) => string | undefined]> = [
    ["typescript", nodeModules.filter((p) => /\.tsx?$/.test(p)), options.jsMegabytes, readText],
    ["javascript", nodeModules.filter((p) => /\.(js|mjs|cjs)$/.test(p)), options.jsMegabytes, readText],
    ["python", walk("/usr/lib/python3.11", /\.py$/, /\/(test|tests|idlelib)\//), options.otherMegabytes, readText],
    ["rust", walk(RUSTDOC_SRC, /\.rs\.html$/), options.otherMegabytes, (p) => rustFromRustdoc(readFileSync(p, "utf8"))],
    ["go", walk("/usr/share/doc", /\.go$/), options.otherMegabytes, readText],
    ["markdown", nodeModules.filter((p) => p.endsWith(".md")), options.otherMegabytes / 4, readText],
  ];
  const corpus: CorpusFile[] = [];
  for (const [label, paths, megabytes, read] of groups) {
    let bytes = 0;
    for (const path of shuffled(paths)) {
      if (bytes >= megabytes * 1e6) break;
      const text = read(path);
      if (text === undefined || text.length === 0 || text.length > MAX_FILE_BYTES) continue;
      if (text.length / Math.max(1, splitLines(text).length) > MAX_AVERAGE_LINE) continue;
      corpus.push({ path: label === "rust" ? path.replace(/\.html$/, "") : path, label, text });
      bytes += Buffer.byteLength(text);
    }
  }
  return corpus;
}

function readText(path: string): string | undefined {
  const text = readFileSync(path, "utf8");
  return text.includes("\uFFFD") ? undefined : text;
}

function walk(dir: string, include: RegExp, exclude?: RegExp): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return out;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (exclude?.test(path + "/")) continue;
    if (entry.isDirectory()) out.push(...walk(path, include, exclude));
    else if (entry.isFile() && include.test(entry.name) && statSync(path).size <= MAX_FILE_BYTES * 3) out.push(path);
  }
  return out;
}

/** Sorted, then ordered by a hash of the path: spread across packages, same order every run. */
function shuffled(paths: string[]): string[] {
  const hash = (s: string) => {
    let h = 2166136261;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    return h >>> 0;
  };
  return [...paths].sort().map((p) => [hash(p), p] as const).sort((a, b) => a[0] - b[0]).map(([, p]) => p);
}

/** The Rust source of a rustdoc `src/…rs.html` page: the code block without line anchors, tags or entities. */
export function rustFromRustdoc(html: string): string | undefined {
  const code = /<pre class="rust"><code>([\s\S]*?)<\/code><\/pre>/.exec(html)?.[1];
  if (code === undefined) return undefined;
  const entities: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', "#39": "'", "#x27": "'", nbsp: " " };
  return code
    .replace(/<a href=#\d+ id=\d+ data-nosnippet>\d+<\/a>/g, "")
    .replace(/<[^>]*>/g, "")
    .replace(/&(lt|gt|amp|quot|#39|#x27|nbsp);/g, (_, name: string) => entities[name] as string);
}

/** Node types that are functions, per language: this script's own list, not the sharder's. */
const FUNCTION_TYPES: Record<string, ReadonlySet<string>> = {
  typescript: new Set(["function_declaration", "generator_function_declaration", "function_expression", "function", "arrow_function", "method_definition", "generator_function"]),
  rust: new Set(["function_item"]),
  python: new Set(["function_definition"]),
  go: new Set(["function_declaration", "method_declaration", "func_literal"]),
  java: new Set(["method_declaration", "constructor_declaration", "lambda_expression"]),
  csharp: new Set(["method_declaration", "constructor_declaration", "local_function_statement", "lambda_expression"]),
  cpp: new Set(["function_definition", "lambda_expression"]),
  ruby: new Set(["method", "singleton_method"]),
  php: new Set(["function_definition", "method_declaration", "anonymous_function", "arrow_function"]),
  bash: new Set(["function_definition"]),
};
FUNCTION_TYPES.tsx = FUNCTION_TYPES.typescript as ReadonlySet<string>;
FUNCTION_TYPES.javascript = FUNCTION_TYPES.typescript as ReadonlySet<string>;
FUNCTION_TYPES.c = FUNCTION_TYPES.cpp as ReadonlySet<string>;

/** [startIndex, endIndex) of every function of the file (UTF-16 string offsets), found with tree-sitter. */
export async function findFunctions(path: string, text: string): Promise<Array<[number, number]>> {
  const language = languageOf(path);
  const types = FUNCTION_TYPES[language];
  if (types === undefined) return [];
  const parser = await parserFor(language);
  const tree = parser.parse(text);
  if (tree === null) throw new Error(`${path}: no tree`);
  const found: Array<[number, number]> = [];
  const cursor = tree.walk();
  try {
    for (;;) {
      if (types.has(cursor.nodeType)) found.push([cursor.startIndex, cursor.endIndex]);
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return found;
      }
    }
  } finally {
    cursor.delete();
    tree.delete();
  }
}

/** How many of `functions` lie wholly inside one of `chunks` (both [start, end) offsets; chunks sorted). */
export function countIntact(functions: Array<[number, number]>, chunks: Array<[number, number]>): number {
  let intact = 0;
  for (const [start, end] of functions) {
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((chunks[mid] as [number, number])[0] <= start) lo = mid;
      else hi = mid - 1;
    }
    const chunk = chunks[lo];
    if (chunk !== undefined && chunk[0] <= start && end <= chunk[1]) intact++;
  }
  return intact;
}

/** Offsets where each line starts ("\n" ends a line, as in splitLines; "\r" stays on the line). */
export function lineOffsets(text: string): number[] {
  const offsets = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) offsets.push(i + 1);
  return offsets;
}

/** Line range (1-based, inclusive) to [start, end) string offsets. */
function lineRangeChars(offsets: number[], text: string, lineStart: number, lineEnd: number): [number, number] {
  const end = lineEnd < offsets.length ? (offsets[lineEnd] as number) : text.length;
  return [offsets[lineStart - 1] as number, end];
}

type Chunker = (file: CorpusFile, offsets: number[]) => Promise<Array<[number, number]>>;

interface Tally {
  bytes: number;
  ms: number;
  /** Bytes and time of the files above the threshold: the ones a sharder actually has to cut. */
  splitBytes: number;
  splitMs: number;
  files: number;
  splitFiles: number;
  chunks: number;
  splitFileChunks: number;
  fitting: number;
  intact: number;
  unlocated: number;
}

const LANGCHAIN_LANGUAGES: Record<string, SupportedTextSplitterLanguage> = {
  typescript: "js", tsx: "js", javascript: "js", rust: "rust", python: "python", go: "go", markdown: "markdown",
  java: "java", cpp: "cpp", c: "cpp", ruby: "ruby", php: "php",
};

function chunkers(max: number, threshold: number): Record<string, Chunker> {
  const splitters = new Map<string, RecursiveCharacterTextSplitter>();
  const langchainFor = (language: string) => {
    let splitter = splitters.get(language);
    if (splitter === undefined) {
      const lc = LANGCHAIN_LANGUAGES[language];
      const params = { chunkSize: max, chunkOverlap: 0 };
      splitter = lc === undefined ? new RecursiveCharacterTextSplitter(params) : RecursiveCharacterTextSplitter.fromLanguage(lc, params);
      splitters.set(language, splitter);
    }
    return splitter;
  };
  return {
    scrumloop: async (file, offsets) => {
      const plan = await shardFile(file.path, file.text, { thresholdChars: threshold, maxShardChars: max });
      return plan.shards.map((s) => lineRangeChars(offsets, file.text, s.lineStart, s.lineEnd));
    },
    "naive: fixed chars": async (file) => {
      const out: Array<[number, number]> = [];
      for (let i = 0; i < file.text.length; i += max) out.push([i, Math.min(i + max, file.text.length)]);
      return out;
    },
    "naive: line blocks": async (file, offsets) => {
      const lines = splitLines(file.text);
      return splitByLines(lines, max).map(([a, b]) => lineRangeChars(offsets, file.text, a, b));
    },
    "langchain RecursiveCharacterTextSplitter": async (file) => {
      const chunks = await langchainFor(languageOf(file.path)).splitText(file.text);
      const out: Array<[number, number]> = [];
      let cursor = 0;
      for (const chunk of chunks) {
        const at = file.text.indexOf(chunk, cursor);
        if (at < 0) {
          out.push([-1, -1]); // not found verbatim: counted as unlocated, holds no function
          continue;
        }
        out.push([at, at + chunk.length]);
        cursor = at + chunk.length;
      }
      return out;
    },
  };
}

async function run(max: number, threshold: number, megabytes: number): Promise<Record<string, Record<string, Tally>>> {
  const t0 = performance.now();
  const corpus = collectCorpus({ jsMegabytes: megabytes, otherMegabytes: megabytes / 2, root: process.cwd() });
  const loadMs = performance.now() - t0;
  // Grammar loading is a once-per-process cost; do it before the clock starts.
  for (const language of ["typescript", "tsx", "javascript", "rust", "python", "go"]) await parserFor(language);
  const functions = await Promise.all(corpus.map((f) => findFunctions(f.path, f.text)));
  const sizes = corpus.map((f) => Buffer.byteLength(f.text));
  const offsets = corpus.map((f) => lineOffsets(f.text));
  process.stderr.write(`corpus: ${corpus.length} files, ${(sizes.reduce((a, b) => a + b, 0) / 1e6).toFixed(1)} MB (collected in ${(loadMs / 1000).toFixed(1)} s)\n`);
  const results: Record<string, Record<string, Tally>> = {};
  for (const [name, chunk] of Object.entries(chunkers(max, threshold))) {
    const byLabel: Record<string, Tally> = {};
    for (let i = 0; i < corpus.length; i++) {
      const file = corpus[i] as CorpusFile;
      const start = performance.now();
      const chunks = await chunk(file, offsets[i] as number[]);
      const ms = performance.now() - start;
      const tally = (byLabel[file.label] ??= { bytes: 0, ms: 0, splitBytes: 0, splitMs: 0, files: 0, splitFiles: 0, chunks: 0, splitFileChunks: 0, fitting: 0, intact: 0, unlocated: 0 });
      tally.bytes += sizes[i] as number;
      tally.ms += ms;
      tally.files++;
      tally.chunks += chunks.length;
      tally.unlocated += chunks.filter(([a]) => a < 0).length;
      // Functions are counted in files above the threshold only: a whole-file shard cuts nothing.
      if (file.text.length > threshold) {
        const fitting = (functions[i] as Array<[number, number]>).filter(([a, b]) => b - a <= max);
        tally.splitFiles++;
        tally.splitBytes += sizes[i] as number;
        tally.splitMs += ms;
        tally.splitFileChunks += chunks.length;
        tally.fitting += fitting.length;
        tally.intact += countIntact(fitting, chunks.filter(([a]) => a >= 0));
      }
    }
    results[name] = byLabel;
    process.stderr.write(`${name}: done\n`);
  }
  return results;
}

function total(byLabel: Record<string, Tally>): Tally {
  const sum: Tally = { bytes: 0, ms: 0, splitBytes: 0, splitMs: 0, files: 0, splitFiles: 0, chunks: 0, splitFileChunks: 0, fitting: 0, intact: 0, unlocated: 0 };
  for (const t of Object.values(byLabel)) for (const key of Object.keys(sum) as Array<keyof Tally>) sum[key] += t[key];
  return sum;
}

function report(results: Record<string, Record<string, Tally>>, max: number, threshold: number): string {
  const pct = (t: Tally) => (t.fitting === 0 ? "n/a" : `${((100 * t.intact) / t.fitting).toFixed(2)}%`);
  const mbs = (t: Tally) => (t.bytes / 1e6 / (t.ms / 1000)).toFixed(1);
  const splitMbs = (t: Tally) => (t.splitBytes / 1e6 / (t.splitMs / 1000)).toFixed(1);
  const rows = [
    `max_shard_chars = ${max}, shard_threshold_chars = ${threshold}`,
    "",
    "| splitter | MB/s, all files (1 core) | MB/s, split files | shards per file (all / split files) | fitting functions intact (split files) |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const [name, byLabel] of Object.entries(results)) {
    const t = total(byLabel);
    rows.push(`| ${name} | ${mbs(t)} | ${splitMbs(t)} | ${(t.chunks / t.files).toFixed(2)} / ${(t.splitFileChunks / Math.max(1, t.splitFiles)).toFixed(2)} | ${pct(t)} (${t.intact}/${t.fitting}) |`);
  }
  const labels = Object.keys(Object.values(results)[0] ?? {});
  rows.push("", `| language (files, MB, split files) | ${Object.keys(results).join(" | ")} |`, `| --- |${" ---: |".repeat(Object.keys(results).length)}`);
  for (const label of labels) {
    const any = Object.values(results)[0]?.[label] as Tally;
    const cells = Object.values(results).map((byLabel) => {
      const t = byLabel[label] as Tally;
      return `${pct(t)} · ${mbs(t)} MB/s`;
    });
    rows.push(`| ${label} (${any.files}, ${(any.bytes / 1e6).toFixed(1)}, ${any.splitFiles}) | ${cells.join(" | ")} |`);
  }
  const unlocated = total(results["langchain RecursiveCharacterTextSplitter"] ?? {}).unlocated;
  if (unlocated > 0) rows.push("", `LangChain chunks not found verbatim in their file: ${unlocated} (they hold no function).`);
  return rows.join("\n");
}

function flag(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Expected ${name} to be a positive number, got ${args[at + 1]}`);
  return value;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const max = flag(args, "--max", 6000);
  const threshold = flag(args, "--threshold", max);
  const results = await run(max, threshold, flag(args, "--mb", 20));
  console.log(args.includes("--json") ? JSON.stringify(results, null, 2) : report(results, max, threshold));
}

/** The naive line-block peer (scrumloop's first splitter): pack whole lines up to `maxChars`, a longer line alone. */
function splitByLines(lines: string[], maxChars: number, firstLine = 1, lastLine = lines.length): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = firstLine;
  let size = 0;
  for (let n = firstLine; n <= lastLine; n++) {
    const len = (lines[n - 1] ?? "").length + 1;
    if (size > 0 && size + len > maxChars) {
      ranges.push([start, n - 1]);
      start = n;
      size = 0;
    }
    size += len;
  }
  if (lastLine >= firstLine) ranges.push([start, lastLine]);
  return ranges;
}
