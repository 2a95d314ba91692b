/**
 * The fuzz cases: routing.toml files mutated from the shipped config and the docs/CONFIG.md examples, and argument
 * lists over every command and option. Pure and seeded (pipeline/bench/random.ts): the same seed gives the same cases.
 * Hostile values name files by placeholders (`@FIFO`, `@DIR`...) that the sandbox replaces with real paths.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse, stringify } from "smol-toml";
import { seededRandom } from "../../pipeline/bench/random";

const ROOT = resolve(import.meta.dir, "../..");

export interface FuzzCase {
  kind: "config" | "args";
  /** Stable within a seed: "config-17", "args-402"; corpus entries carry their own. */
  id: string;
  /** The routing.toml written to the case's .scrum/routing.toml (args cases get the sandbox's own). */
  toml?: string;
  argv: string[];
  /** Corpus entries: the exit code the case must end with (what the fix promises). */
  expect_code?: number;
  /** Corpus entries: what failed before. */
  why?: string;
}

/**
 * Paths a value may name, replaced per case by the sandbox: a FIFO, a directory, a big file, the case's own KB and
 * its companions, the config, a missing file, a good prompt. Nothing outside the sandbox is ever written.
 */
export const PLACEHOLDERS = ["@FIFO", "@DIR", "@BIG", "@KB", "@KB_WAL", "@KB_SHM", "@CONFIG", "@MISSING", "@PROMPT", "@EMPTY", "@SRC", "@LABELS", "@BADLABELS"] as const;

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: Rand, p: number) => r() < p;

const HOSTILE_NUMBERS = [0, -1, 1, 0.5, 2, 7, 200, 512, 1000, 3_000_000, 86_400, 86_401, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, Number.POSITIVE_INFINITY, Number.NaN, 1e-9];
const HOSTILE_STRINGS = [
  "", ".", "..", "/", "./", "~", "/dev/zero", "/dev/null", "/proc/self/mem", "@FIFO", "@DIR", "@BIG", "@MISSING", "@PROMPT", "@EMPTY", "@KB", "@CONFIG",
  "../../../../etc/hostname", "(", ")", "[", "a(b", "a[b", "*", "+", "?", "\\", "$", "^", "a.b", "\u0000", "é", "日本", "\u202e", " ", "\t", "\n",
  "x".repeat(5000), "http://127.0.0.1:9", "http://127.0.0.1:9/v1", "https://127.0.0.1:9", "http://[::1]:9", "http://", "ftp://x", "127.0.0.1:9",
  "static", "ollama", "openai", "local", "qwen2.5-coder:7b", "NO_SUCH_ENV_VAR", "HOME", "needs_patch",
  "(a+)+$", "(a|a)*$", "([a-z]+)*=", "(.*a){20}", "(x+x+)+y", "\\", "[", "(?<n>", "a{99999}", ".*", "**", "/**", "../**", "**/../**", "src/**", "**/*.ts", "{a,b", "[!",
  "exit 1", "echo 5", "sleep 0.1; echo 3", "printf 'no number'", "cat /dev/zero | head -c 10; echo 1", "false",
];
const WEIRD_KEYS = ["a(b", "(", ")", "[x", "x]", "a.b", "a b", "é", "*", "+", "?", "\\", "$", "^", "|", "{", "}", "\"", "'", "=", "#", "", "ladder", "probe", "sweep", "__proto__", "constructor", "toString", "1", "-", "_"];

/** A hostile scalar or small structure for a key. */
function hostileValue(r: Rand, depth = 0): unknown {
  const k = r();
  if (k < 0.3) return pick(r, HOSTILE_NUMBERS);
  if (k < 0.7) return pick(r, HOSTILE_STRINGS);
  if (k < 0.78) return chance(r, 0.5);
  if (k < 0.9 && depth < 2) return Array.from({ length: Math.floor(r() * 3) }, () => hostileValue(r, depth + 1));
  if (k < 0.96 && depth < 2) return { [pick(r, WEIRD_KEYS)]: hostileValue(r, depth + 1) };
  return new Date(Math.floor(r() * 2e12));
}

/** The TOML the configs are mutated from: the shipped config and every complete example in docs/CONFIG.md. */
export function baseConfigs(): string[] {
  const shipped = readFileSync(resolve(ROOT, "config/routing.toml"), "utf8");
  const docs = readFileSync(resolve(ROOT, "docs/CONFIG.md"), "utf8");
  const blocks = [...docs.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const usable = [shipped, ...blocks].filter((text) => {
    try {
      parse(text);
      return true;
    } catch (e) {
      if ((e as Error).name === "TomlError") return false;
      throw e;
    }
  });
  // A small known-good ladder the mutations also start from: static plus an unreachable model rung (fails fast).
  usable.push(`[[ladder]]\nname = "static"\nprovider = "static"\n\n[[ladder]]\nname = "far"\nprovider = "ollama"\nmodel = "m"\nhost = "http://127.0.0.1:9"\nretries = 0\n\n[[probe]]\nname = "todo"\npattern = "TODO"\ninclude = ["src/**"]\n\n[[probe]]\nname = "lines"\ncommand = "echo 4"\n`);
  return usable;
}

/** Keys the schema knows, per section: mutations set these to hostile values far more often than they invent keys. */
const KNOWN: Record<string, string[]> = {
  sweep: ["include", "exclude", "max_file_bytes", "shard_threshold_chars", "max_shard_chars", "respect_gitignore", "skip_vendored", "max_inflight_chars"],
  prompts: ["system", "reduce", "proposal"],
  ladder: ["name", "provider", "model", "host", "hosts", "base_url", "base_urls", "api_key_env", "concurrency", "requests_per_minute", "tokens_per_minute", "timeout_s", "retries", "structured", "cloud", "temperature", "max_output_tokens", "context_tokens", "cost_in_per_mtok", "cost_out_per_mtok"],
  reduce: ["rung"],
  accept: ["min_chars"],
  gradient: ["block_below", "review_below"],
  probe: ["name", "pattern", "include", "command", "timeout_s"],
  gate: ["command"],
  budget: ["max_cost_usd", "max_tokens"],
  consensus: ["rungs", "samples", "min_agree", "line_tolerance"],
  observer: ["url", "max_queue", "timeout_s"],
  instructions: ["paths", "file"],
};
const ARRAY_SECTIONS = new Set(["ladder", "probe", "instructions"]);
/** Keys naming a file (relative to the config's folder, .scrum/): the values that hung or crashed runs, and good ones. */
const FILE_KEYS = new Set(["system", "reduce", "proposal", "file"]);
const FILE_VALUES = [".", "..", "/", "@FIFO", "@DIR", "@BIG", "@MISSING", "@PROMPT", "@EMPTY", "/dev/zero", "/dev/null", "../fx/prompt.md", "../fx/dir", "../fx/empty.md", "routing.toml", "scrum.db", "../src/a.ts"];
const GLOB_KEYS = new Set(["include", "exclude", "paths"]);
const GLOB_VALUES = ["/**", "../**", "**/../**", "**/*", "src/**", "fx/**", "*", "**/*.{ts,py}", "{a,b", "[!", "\\", "~/x", "C:/x", "/etc/*", "@FIFO"];

/** Every model rung is pointed at a closed local port so no case waits on a network it does not control. */
function tame(config: Record<string, unknown>): void {
  const ladder = config.ladder;
  if (!Array.isArray(ladder)) return;
  for (const rung of ladder) {
    if (typeof rung !== "object" || rung === null) continue;
    const r = rung as Record<string, unknown>;
    for (const key of ["host", "base_url"]) if (typeof r[key] === "string" && !/127\.0\.0\.1|\[::1\]/.test(r[key] as string)) r[key] = "http://127.0.0.1:9";
    for (const key of ["hosts", "base_urls"]) if (Array.isArray(r[key])) r[key] = (r[key] as unknown[]).map(() => "http://127.0.0.1:9");
  }
  const observer = config.observer as Record<string, unknown> | undefined;
  if (observer && typeof observer.url === "string") observer.url = "http://127.0.0.1:9/events";
}

/** One structural mutation of a parsed config. */
function mutateObject(r: Rand, config: Record<string, unknown>): void {
  // The sections that name files, globs and regexes (where the hangs and crashes were) come up more often.
  const section = chance(r, 0.3) ? pick(r, ["prompts", "probe", "instructions"]) : pick(r, Object.keys(KNOWN));
  const op = r();
  if (op < 0.08) {
    // A top-level key of any characters (the SyntaxError from a key with `(` was one of these).
    config[pick(r, WEIRD_KEYS)] = hostileValue(r);
    return;
  }
  if (op < 0.14) {
    delete config[section];
    return;
  }
  if (op < 0.22 && section === "probe") {
    const probe: Record<string, unknown> = { name: pick(r, ["p", "todo", "Bad-Name", "x1"]) };
    if (chance(r, 0.7)) probe.pattern = pick(r, ["TODO", "(a+)+$", "(x+x+)+y", "[", "(?<n>", ".*", "\\d+", "(.*a){20}"]);
    else probe.command = pick(r, ["echo 3", "exit 2", "sleep 0.1; echo 1", "printf none"]);
    if (chance(r, 0.6)) probe.include = [pick(r, ["/**", "../**", "**/*", "src/**", "fx/**", "**/../**", "~/x", "C:/x", "**/*.{ts,py}", "@FIFO"])];
    // Short bounds only: a backtracking pattern waits out its timeout_s (30 s by default), and the case's bound is 20 s.
    const backtracks = probe.pattern === "(a+)+$" || probe.pattern === "(x+x+)+y" || probe.pattern === "(.*a){20}";
    if (backtracks || chance(r, 0.3)) probe.timeout_s = backtracks ? pick(r, [0.2, 0.5, 1]) : pick(r, [0.2, 1, 0, -1, 3_000_000]);
    config.probe = [...(Array.isArray(config.probe) ? config.probe : []), probe];
    return;
  }
  let table: Record<string, unknown>;
  if (ARRAY_SECTIONS.has(section)) {
    const list = Array.isArray(config[section]) ? (config[section] as unknown[]) : [];
    if (list.length === 0 || chance(r, 0.15)) list.push({});
    config[section] = list;
    const item = list[Math.floor(r() * list.length)];
    if (typeof item !== "object" || item === null || Array.isArray(item)) return;
    table = item as Record<string, unknown>;
  } else {
    if (typeof config[section] !== "object" || config[section] === null || Array.isArray(config[section]) || config[section] instanceof Date) config[section] = {};
    table = config[section] as Record<string, unknown>;
  }
  const key = chance(r, 0.9) ? pick(r, KNOWN[section]!) : pick(r, WEIRD_KEYS);
  if (chance(r, 0.1)) delete table[key];
  else if (FILE_KEYS.has(key) && chance(r, 0.8)) table[key] = pick(r, FILE_VALUES);
  else if (GLOB_KEYS.has(key) && chance(r, 0.7)) table[key] = [pick(r, GLOB_VALUES)];
  else table[key] = hostileValue(r);
}

/** One text mutation: the kind of damage a hand edit does (a cut line, a stray character, a doubled header). */
function mutateText(r: Rand, text: string): string {
  const lines = text.split("\n");
  const i = Math.floor(r() * Math.max(1, lines.length));
  const op = r();
  if (op < 0.25) lines.splice(i, 1);
  else if (op < 0.45) lines.splice(i, 0, lines[Math.floor(r() * lines.length)] ?? "");
  else if (op < 0.7) {
    const line = lines[i] ?? "";
    const at = Math.floor(r() * (line.length + 1));
    lines[i] = line.slice(0, at) + pick(r, ["(", "[", "]", "\"", "'", "=", "#", "\\", "{", ",", "\u0000", "é", "[[", "]]", " = 1", "x"]) + line.slice(at);
  } else if (op < 0.85) lines.splice(i, 0, `${pick(r, WEIRD_KEYS.map((k) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k))))} = ${pick(r, ["1", '"x"', "[", "true", "{ a = 1 }", "1979-05-27"])}`);
  else lines.splice(i, 0, pick(r, ["[ladder]", "[[sweep]]", "[[probe]]", "[prompts]", "[\"a(b\"]", "[a.b.c]", "[[ladder]]"]));
  return lines.join("\n");
}

/** Stringify a mutated object; values TOML cannot hold (NaN keys, undefined) fall back to the text form. */
function toToml(config: Record<string, unknown>): string | null {
  try {
    return stringify(config);
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError || (e as Error).name === "TomlError") return null;
    throw e;
  }
}

/** The commands a config case runs (all offline or against a closed port: nothing waits on a network). */
const CONFIG_ARGVS = [["config", "check"], ["run", "--offline", "src"], ["run", "--offline", "--estimate", "src"], ["run", "src"], ["--json", "config", "check"], ["run", "--offline", "--changed"]];

/** `n` mutated configs from `seed`. */
export function configCases(seed: number, n: number, bases = baseConfigs()): FuzzCase[] {
  const r = seededRandom(seed);
  const out: FuzzCase[] = [];
  for (let i = 0; i < n; i++) {
    const base = pick(r, bases);
    let text: string;
    if (chance(r, 0.7)) {
      const config = parse(base) as Record<string, unknown>;
      const rounds = 1 + Math.floor(r() * 4);
      for (let k = 0; k < rounds; k++) mutateObject(r, config);
      tame(config);
      text = toToml(config) ?? mutateText(r, base);
    } else {
      text = base;
      const rounds = 1 + Math.floor(r() * 3);
      for (let k = 0; k < rounds; k++) text = mutateText(r, text);
      text = text.replace(/https?:\/\/(?!127\.0\.0\.1)[^"'\s]*/g, "http://127.0.0.1:9");
    }
    out.push({ kind: "config", id: `config-${i}`, toml: text, argv: pick(r, CONFIG_ARGVS) });
  }
  return out;
}

interface CommandSpec {
  words: string[];
  options: Array<{ flag: string; value?: "path" | "out" | "iter" | "number" | "text" | "format" | "scope" | "verdict" | "include" | "operators" }>;
  positionals: Array<"path" | "iter" | "text" | "fingerprint">;
}

/** Every command and option of pipeline/cli/program.ts. */
const COMMANDS: CommandSpec[] = [
  { words: ["init"], options: [{ flag: "--force" }], positionals: [] },
  {
    words: ["run"],
    options: [{ flag: "--label", value: "text" }, { flag: "--from-flagged" }, { flag: "--from-flagged=", value: "iter" }, { flag: "--resume" }, { flag: "--resume=", value: "iter" }, { flag: "--changed" }, { flag: "--no-cache" }, { flag: "--estimate" }, { flag: "--offline" }, { flag: "--concurrency", value: "number" }, { flag: "--events", value: "out" }, { flag: "--fail-on", value: "verdict" }],
    positionals: ["path", "path"],
  },
  { words: ["history"], options: [], positionals: [] },
  { words: ["diff"], options: [{ flag: "--scope", value: "scope" }], positionals: ["iter", "iter"] },
  { words: ["status"], options: [], positionals: ["path", "path"] },
  { words: ["show"], options: [], positionals: ["iter", "path"] },
  { words: ["flagged"], options: [{ flag: "--format", value: "format" }, { flag: "--include", value: "include" }], positionals: ["iter"] },
  { words: ["dismiss"], options: [{ flag: "--reason", value: "text" }, { flag: "--list" }, { flag: "--undo", value: "number" }], positionals: ["fingerprint"] },
  { words: ["abort"], options: [], positionals: ["iter"] },
  { words: ["report"], options: [{ flag: "--format", value: "format" }, { flag: "--out", value: "out" }, { flag: "--scope", value: "scope" }], positionals: ["iter"] },
  { words: ["dashboard"], options: [{ flag: "--out", value: "out" }], positionals: [] },
  { words: ["note", "add"], options: [], positionals: ["path", "text", "text"] },
  { words: ["note", "list"], options: [], positionals: [] },
  { words: ["note", "resolve"], options: [], positionals: ["number" as "text"] },
  {
    words: ["bench"],
    options: [{ flag: "--offline" }, { flag: "--seed", value: "number" }, { flag: "--plants", value: "number" }, { flag: "--operators", value: "operators" }, { flag: "--repeat", value: "number" }, { flag: "--tolerance", value: "number" }, { flag: "--labels", value: "path" }, { flag: "--concurrency", value: "number" }, { flag: "--history" }],
    positionals: ["path"],
  },
  { words: ["shard"], options: [], positionals: ["path"] },
  { words: ["config", "check"], options: [], positionals: [] },
];
const GLOBALS: CommandSpec["options"] = [{ flag: "--kb", value: "path" }, { flag: "--config", value: "path" }, { flag: "--json" }, { flag: "--quiet" }];

const PATHS = ["src", "src/a.ts", "src/b.py", "src/*.ts", "src/**", "missing.ts", "", ".", "@DIR", "@FIFO", "@BIG", "@MISSING", "@KB", "@KB_WAL", "@CONFIG", "@EMPTY", "@LABELS", "@BADLABELS", ".scrum", "../", "-", "--", "*", "x".repeat(300), "a(b", "src/a.ts:3", "é.ts", "/dev/null", "-x"];
const OUTS = ["out.md", "out/x.html", "@KB", "@KB_WAL", "@KB_SHM", "@CONFIG", "@DIR", "@FIFO", "", ".", "nested/deep/r.sarif", "src/a.ts", ".scrum", "@MISSING/x", "-"];
const ITERS = ["latest", "previous", "1", "2", "0", "-1", "999", "1e3", "0x1", "abc", "", " ", "latest~1", "1.5", "9007199254740993"];
const NUMBERS = ["1", "0", "-1", "2", "8", "1e3", "1.5", "abc", "", " ", "99999999999", "NaN", "Infinity", "0x10", "256", "257", "100", "101"];
const TEXTS = ["a note", "", " ", "\u0000", "é", "x".repeat(2000), "--json", "-q", "(", "'; DROP TABLE notes; --"];
const VALUES: Record<string, string[]> = {
  path: PATHS,
  out: OUTS,
  iter: ITERS,
  number: NUMBERS,
  text: TEXTS,
  format: ["md", "json", "sarif", "rdjsonl", "codeclimate", "table", "paths", "", "xml", "JSON"],
  scope: ["state", "iteration", "", "all"],
  verdict: ["needs_patch", "fail", "pass", ""],
  include: ["review", "stale", "review,stale", "", "nope", ","],
  operators: ["", "nope", "drop_guard", ",", "drop_guard,nope"],
  fingerprint: ["src/a.ts:1", "src/a.ts:0", "deadbeef", "", "src/a.ts:x", "a(b:1", ...PATHS.slice(0, 5)],
};

/** `n` argument lists from `seed`: mostly well-formed commands with hostile values, some garbage. */
export function argCases(seed: number, n: number): FuzzCase[] {
  const r = seededRandom(seed);
  const out: FuzzCase[] = [];
  const valueFor = (kind: string) => pick(r, VALUES[kind] ?? PATHS);
  for (let i = 0; i < n; i++) {
    const argv: string[] = [];
    if (chance(r, 0.05)) {
      // Garbage: unknown commands, flags alone, values without flags.
      const len = Math.floor(r() * 4);
      for (let k = 0; k < len; k++) argv.push(pick(r, [...PATHS, ...ITERS, "--kb", "--out", "-h", "--version", "runn", "note", "config", "--", "--json"]));
      out.push({ kind: "args", id: `args-${i}`, argv });
      continue;
    }
    const spec = pick(r, COMMANDS);
    const globalsBefore = chance(r, 0.35);
    const globals: string[] = [];
    for (const g of GLOBALS) {
      if (!chance(r, g.value ? 0.22 : 0.2)) continue;
      globals.push(g.flag);
      if (g.value) globals.push(g.flag === "--kb" ? pick(r, [...PATHS, "@KB", "@KB", "new.db", "nested/new.db"]) : g.flag === "--config" ? pick(r, [...PATHS, "@CONFIG", "@CONFIG"]) : valueFor(g.value));
    }
    if (globalsBefore) argv.push(...globals);
    argv.push(...spec.words);
    for (const o of spec.options) {
      if (!chance(r, 0.3)) continue;
      if (o.flag.endsWith("=")) argv.push(`${o.flag}${valueFor(o.value!)}`);
      else {
        argv.push(o.flag);
        if (o.value && chance(r, 0.95)) argv.push(valueFor(o.value));
      }
    }
    // Most commands get their positionals; some get too many or an option of another command.
    for (const p of spec.positionals) if (chance(r, 0.7)) argv.push(valueFor(p));
    if (chance(r, 0.08)) argv.push(valueFor("path"));
    if (chance(r, 0.06)) argv.push(pick(r, ["--out", "--format", "--nope", "--seed", "-x", "--label"]));
    // `run` and `bench` stay offline most of the time: the sandbox's model rung is a closed port (fails fast).
    if ((spec.words[0] === "run" || spec.words[0] === "bench") && chance(r, 0.75) && !argv.includes("--offline")) argv.push("--offline");
    if (!globalsBefore) argv.push(...globals);
    out.push({ kind: "args", id: `args-${i}`, argv });
  }
  return out;
}
