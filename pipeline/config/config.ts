/**
 * routing.toml: parsed with smol-toml, validated with Ajv against config/routing.schema.json (generated from schema.ts,
 * which also gives the raw config its type), defaults merged here only.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse, TomlError } from "smol-toml";
import Ajv2020 from "ajv/dist/2020";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Static } from "@sinclair/typebox";
import routingSchema from "../../config/routing.schema.json";
import type { RoutingSchema } from "./schema";
import { ConfigError } from "../../domain/errors";
import { checkInputFile, kindOf, readInputFile } from "./input-file";
import { RULES } from "../static/rules";
import type { RuleId } from "../../domain/rules";
import { INJECTION_RULE } from "../review/injection-phrases";

export type ProviderKind = "ollama" | "openai" | "static";

/** How a request asks for the forensic JSON: a JSON schema, a JSON-object mode (with the schema where the server takes one), or the prompt alone. */
export type StructuredShape = "json_schema" | "json_object" | "none";
/** `structured` in routing.toml: one shape, or `auto` (probe the server: json_schema, then json_object, then none). */
export type StructuredMode = StructuredShape | "auto";

export interface RungConfig {
  name: string;
  provider: ProviderKind;
  model: string;
  /** Ollama hosts or OpenAI-compatible base URLs; more than one makes the rung a fleet. */
  servers: string[];
  apiKeyEnv?: string;
  /** Calls in flight on each server of the rung (a fleet of N servers takes N × concurrency). */
  concurrency: number;
  requestsPerMinute?: number;
  /** Tokens (prompt estimate, then prompt + answer as reported) per sliding minute. */
  tokensPerMinute?: number;
  timeoutMs: number;
  retries: number;
  /** Whether requests carry the schema at all (`shape` is not "none"); kept for readers of the boolean. */
  structured: boolean;
  /** The request shape (`structured`); absent = "auto" when `structured`, else "none". */
  shape?: StructuredMode;
  /** false: the model's chat template has no system role, so the system prompt leads the user message. Absent = detect. */
  systemRole?: boolean;
  cloud: boolean;
  temperature?: number;
  maxOutputTokens?: number;
  /** The rung's context window in tokens (`context_tokens`, else the provider's default); absent for the static rung, which has none. */
  contextTokens?: number;
  costInPerMtok: number;
  costOutPerMtok: number;
}

export interface ProbeConfig {
  name: string;
  pattern?: string;
  include: string[];
  command?: string;
  /** `timeout_s`: past it the probe is stopped and its metric is null (default PROBE_TIMEOUT_MS in run/probes.ts). */
  timeoutMs?: number;
}

export interface Config {
  /** The file the config came from, or null for the built-in defaults. */
  source: string | null;
  sweep: {
    include: string[];
    exclude: string[];
    maxFileBytes: number;
    shardThresholdChars: number;
    maxShardChars: number;
    respectGitignore: boolean;
    /** Skip vendored, generated and minified files with a reason. */
    skipVendored: boolean;
    /** Characters of file text under review at once: files are admitted while their text fits (memory bound). */
    maxInflightChars: number;
  };
  prompts: { system: string; reduce: string; proposal?: string };
  ladder: RungConfig[];
  reduce: { rung?: string };
  accept: { minChars: number };
  gradient: { blockBelow: number; reviewBelow: number };
  probes: ProbeConfig[];
  gate: { command?: string };
  /** `[budget]`: per iteration; a call is sent only when its estimate fits in what is left (pipeline/run/budget.ts), else its shard climbs or is unreviewed (reason "budget"). */
  budget: { maxCostUsd?: number; maxTokens?: number };
  /** `[consensus]`: several answers per shard on the named rungs; absent when the section is not given. */
  consensus?: ConsensusConfig;
  /** `[observer]`: every run event POSTed to this endpoint, fail-open; absent when not configured. */
  observer?: ObserverConfig;
  /** `[verify]`: a second look that can refute each finding; absent when the section names no rung. */
  verify?: VerifyConfig;
  /** `[[instructions]]`: repository rules for the files their globs match (pipeline/review/instructions.ts). */
  instructions: InstructionRule[];
  /** `[static] raise`: static rules promoted past their earned severity to the one they claim (docs/STATIC.md). */
  static: {
    raise: RuleId[];
    /** `prompt-injection` named in `[static] raise`: its weak class is high (raises the verdict) too, not only the strong. */
    raiseInjection: boolean;
  };
}

/** One `[[instructions]]` entry: globs relative to the swept repository's root, and the rules file (absolute). */
export interface InstructionRule {
  paths: string[];
  file: string;
}

export interface VerifyConfig {
  /** The ladder rung verification starts at; a failed or thin answer climbs the ladder from there. */
  rung: string;
  /** Problem findings at or above this severity are verified. */
  minSeverity: "high" | "medium" | "low";
  /** At most this many findings of one file are verified (most severe, most confident first). */
  maxPerFile: number;
  /** Lines of code either side of the finding sent with it (within its shard). */
  contextLines: number;
  /** Also verify the deterministic rungs' findings (static rule, injection check). */
  static: boolean;
  /** Skip a rung's findings of a category whose overturn rate is trusted (Wilson upper bound ≤ 5% over ≥ minJudged). */
  skipWhenTrusted: boolean;
  /** Judged cases a rung and category need before skip_when_trusted may skip them. */
  minJudged: number;
}

export interface ObserverConfig {
  url: string;
  /** Events waiting to be sent at most; past it new events are dropped (and counted). */
  maxQueue: number;
  /** Per POST, and the longest wait for the queue to drain when the run ends. */
  timeoutMs: number;
}

export interface ConsensusConfig {
  /** The rungs whose answers are pooled; an accepted answer from one of them calls the others (and their samples). */
  rungs: string[];
  /** Answers per named rung (repeat calls rely on the rung's own temperature > 0). */
  samples: number;
  /** A finding is kept when at least this many answers report it. */
  minAgree: number;
  /** Lines two findings may be apart and still be the same finding. */
  lineTolerance: number;
}

const PROJECT_ROOT = resolve(import.meta.dir, "../..");

/** Every default of the config, in one place. */
export const DEFAULTS = {
  sweep: {
    include: ["**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,rs,py,go,java,c,h,cpp,cc,cxx,hpp,hh,C,H,cs,rb,php,sh,bash,md,markdown,toml}"],
    exclude: ["node_modules/**", "**/node_modules/**", "target/**", "dist/**", "build/**", ".git/**", ".scrum/**"],
    maxFileBytes: 1_000_000,
    shardThresholdChars: 6000,
    maxShardChars: 6000,
    respectGitignore: true,
    skipVendored: true,
    maxInflightChars: 8_000_000,
  },
  prompts: {
    system: resolve(PROJECT_ROOT, "prompts/forensic.md"),
    reduce: resolve(PROJECT_ROOT, "prompts/reduce.md"),
  },
  rung: {
    ollamaHost: "http://127.0.0.1:11434",
    concurrency: 2,
    timeoutS: 180,
    retries: 2,
    structured: true,
    cloud: false,
    costPerMtok: 0,
    /**
     * `context_tokens` when a rung leaves it out. Ollama: what every current coder model holds and a laptop GPU can
     * afford (Ollama itself would run 2–4k); OpenAI-compatible: what vLLM/LiteLLM deployments commonly serve.
     */
    contextTokens: { ollama: 8192, openai: 32768 },
  },
  accept: { minChars: 200 },
  gradient: { blockBelow: 50, reviewBelow: 75 },
  consensus: { samples: 1, minAgree: 2, lineTolerance: 3 },
  observer: { maxQueue: 1000, timeoutS: 2 },
  verify: { minSeverity: "medium", maxPerFile: 20, contextLines: 20, static: false, skipWhenTrusted: false, minJudged: 30 },
} as const;

/** The ladder used by `--offline` and by commands run with no config file. */
export const STATIC_RUNG: RungConfig = {
  name: "static",
  provider: "static",
  model: "static-heuristics",
  servers: [],
  concurrency: 4,
  timeoutMs: 30_000,
  retries: 0,
  structured: false,
  cloud: false,
  costInPerMtok: 0,
  costOutPerMtok: 0,
};

/** routing.toml as the schema admits it (snake_case, every default still absent). */
type RawConfig = Static<typeof RoutingSchema>;
type RawRung = RawConfig["ladder"][number];

// Compiled on first use, not at import: commands that load no config file never pay for it.
let routingValidator: ValidateFunction<RawConfig> | undefined;
function validateRouting(): ValidateFunction<RawConfig> {
  // strictRequired off: the probe's oneOf names "pattern"/"command" in branches that do not redeclare them.
  routingValidator ??= new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile<RawConfig>(routingSchema);
  return routingValidator;
}

/** Load and validate a routing.toml. Every problem is a ConfigError naming file, line and key. */
export function loadConfig(file: string): Config {
  if (kindOf(file).kind === "missing") {
    throw new ConfigError(`config file not found; pass --config FILE or create it (see docs/CONFIG.md)`, file);
  }
  const text = readInputFile(file, "config file", { hint: "pass --config FILE (see docs/CONFIG.md)" });
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    if (e instanceof TomlError) {
      const first = e.message.split("\n")[0] ?? e.message;
      throw new ConfigError(`TOML syntax error: ${first}`, `${file}:${e.line}:${e.column}`);
    }
    throw e;
  }
  const validate = validateRouting();
  if (!validate(raw)) {
    const errors = validate.errors ?? [];
    const e = pickError(errors);
    throw new ConfigError(explain(e), `${file}:${locateKey(text, e)}`);
  }
  return buildConfig(raw, file, text);
}

/** The config used when no file exists and the command needs no model ladder (offline runs, shard, history...). */
export function defaultConfig(): Config {
  return buildConfig({ ladder: [] }, null, "");
}



function buildConfig(raw: RawConfig, file: string | null, text: string): Config {
  const base = file ? dirname(resolve(file)) : PROJECT_ROOT;
  const where = (path: string) => (file ? `${file}:${locateKey(text, { instancePath: path })}` : path);
  const ladder = raw.ladder.map((r, i) => buildRung(r, i, where));
  const names = new Set<string>();
  ladder.forEach((r, i) => {
    if (names.has(r.name)) throw new ConfigError(`rung name "${r.name}" is used twice; rung names must be unique`, where(`/ladder/${i}/name`));
    names.add(r.name);
  });
  if (raw.reduce?.rung && !names.has(raw.reduce.rung)) {
    throw new ConfigError(`[reduce] rung = "${raw.reduce.rung}" names no rung; expected one of: ${[...names].join(", ")}`, where("/reduce/rung"));
  }
  const gradient = {
    blockBelow: raw.gradient?.block_below ?? DEFAULTS.gradient.blockBelow,
    reviewBelow: raw.gradient?.review_below ?? DEFAULTS.gradient.reviewBelow,
  };
  if (gradient.blockBelow > gradient.reviewBelow) {
    throw new ConfigError(`[gradient] block_below (${gradient.blockBelow}) must not exceed review_below (${gradient.reviewBelow})`, where("/gradient/block_below"));
  }
  const sweep = {
    include: raw.sweep?.include ?? [...DEFAULTS.sweep.include],
    exclude: raw.sweep?.exclude ?? [...DEFAULTS.sweep.exclude],
    maxFileBytes: raw.sweep?.max_file_bytes ?? DEFAULTS.sweep.maxFileBytes,
    shardThresholdChars: raw.sweep?.shard_threshold_chars ?? DEFAULTS.sweep.shardThresholdChars,
    maxShardChars: raw.sweep?.max_shard_chars ?? DEFAULTS.sweep.maxShardChars,
    respectGitignore: raw.sweep?.respect_gitignore ?? DEFAULTS.sweep.respectGitignore,
    skipVendored: raw.sweep?.skip_vendored ?? DEFAULTS.sweep.skipVendored,
    maxInflightChars: raw.sweep?.max_inflight_chars ?? DEFAULTS.sweep.maxInflightChars,
  };
  const promptPath = (key: "system" | "reduce" | "proposal", fallback?: string): string | undefined => {
    const p = raw.prompts?.[key];
    if (p === undefined) return fallback;
    const abs = resolve(base, p);
    if (!existsSync(abs)) throw new ConfigError(`[prompts] ${key} = "${p}" does not exist (resolved to ${abs}; paths are relative to the config file)`, where(`/prompts/${key}`));
    checkInputFile(abs, `[prompts] ${key} = "${p}":`, { where: where(`/prompts/${key}`) });
    return abs;
  };
  const proposal = promptPath("proposal");
  return {
    source: file ? resolve(file) : null,
    sweep,
    prompts: {
      system: promptPath("system", DEFAULTS.prompts.system) as string,
      reduce: promptPath("reduce", DEFAULTS.prompts.reduce) as string,
      ...(proposal ? { proposal } : {}),
    },
    ladder,
    reduce: raw.reduce?.rung ? { rung: raw.reduce.rung } : {},
    accept: { minChars: raw.accept?.min_chars ?? DEFAULTS.accept.minChars },
    gradient,
    probes: (raw.probe ?? []).map((p, i) => ({
      name: p.name,
      include: confinedGlobs(p.include ?? ["**/*"], `[[probe]] "${p.name}" include`, where(`/probe/${i}/include`)),
      ...(p.pattern !== undefined ? { pattern: p.pattern } : {}),
      ...(p.command !== undefined ? { command: p.command } : {}),
      ...(p.timeout_s !== undefined ? { timeoutMs: Math.round(p.timeout_s * 1000) } : {}),
    })),
    gate: raw.gate?.command ? { command: raw.gate.command } : {},
    budget: {
      ...(raw.budget?.max_cost_usd !== undefined ? { maxCostUsd: raw.budget.max_cost_usd } : {}),
      ...(raw.budget?.max_tokens !== undefined ? { maxTokens: raw.budget.max_tokens } : {}),
    },
    ...(raw.consensus ? { consensus: buildConsensus(raw.consensus, ladder, where) } : {}),
    ...(raw.observer
      ? { observer: { url: raw.observer.url, maxQueue: raw.observer.max_queue ?? DEFAULTS.observer.maxQueue, timeoutMs: Math.round((raw.observer.timeout_s ?? DEFAULTS.observer.timeoutS) * 1000) } }
      : {}),
    instructions: (raw.instructions ?? []).map((entry, i) => buildInstructionRule(entry, base, (key) => where(`/instructions/${i}/${key}`))),
    static: buildStatic(raw.static?.raise ?? [], where),
    ...(raw.verify?.rung !== undefined ? { verify: buildVerify(raw.verify, ladder, where) } : {}),
  };
}

/** `[verify]` with its defaults; its rung must be a model rung of the ladder (the static rung cannot judge a claim). */
function buildVerify(raw: NonNullable<RawConfig["verify"]>, ladder: RungConfig[], where: (path: string) => string): VerifyConfig {
  const rung = ladder.find((r) => r.name === raw.rung);
  const models = ladder.filter((r) => r.provider !== "static").map((r) => r.name);
  if (!rung) throw new ConfigError(`[verify] rung = "${raw.rung}" names no rung; expected one of: ${models.join(", ") || "(no model rung: add one to [[ladder]])"}`, where("/verify/rung"));
  if (rung.provider === "static") throw new ConfigError(`[verify] rung = "${raw.rung}" is the static rung, which cannot judge a claim; name a model rung: ${models.join(", ") || "(none configured)"}`, where("/verify/rung"));
  const d = DEFAULTS.verify;
  return {
    rung: rung.name,
    minSeverity: raw.min_severity ?? d.minSeverity,
    maxPerFile: raw.max_per_file ?? d.maxPerFile,
    contextLines: raw.context_lines ?? d.contextLines,
    static: raw.static ?? d.static,
    skipWhenTrusted: raw.skip_when_trusted ?? d.skipWhenTrusted,
    minJudged: raw.min_judged ?? d.minJudged,
  };
}

/**
 * Probe globs are walked from the root of the swept repository and must stay inside it: an absolute glob (`/**`) or
 * one climbing out (`../**`) would walk the whole file system.
 */
function confinedGlobs(globs: string[], what: string, where: string): string[] {
  for (const g of globs) {
    if (isAbsolute(g) || /^[A-Za-z]:/.test(g) || g.startsWith("~") || g.split(/[\\/]/).includes("..")) {
      throw new ConfigError(`${what} "${g}" leaves the repository; globs are relative to its root (e.g. "src/**/*.ts")`, where);
    }
  }
  return [...globs];
}

/** `[static] raise`: static rules and the injection check's rule, each promoted to the severity it claims. */
function buildStatic(names: readonly string[], where: (pointer: string) => string): Config["static"] {
  const rules = names.flatMap((name, i) => (name === INJECTION_RULE ? [] : [staticRule(name, where(`/static/raise/${i}`))]));
  return { raise: rules, raiseInjection: names.includes(INJECTION_RULE) };
}

/** A rule name of `[static] raise`: one of the static rules, else a ConfigError listing them. */
function staticRule(name: string, at: string): RuleId {
  if (name in RULES) return name as RuleId;
  throw new ConfigError(`[static] raise names no rule "${name}"; expected some of: ${[...Object.keys(RULES), INJECTION_RULE].join(", ")}`, at);
}

/** One `[[instructions]]` entry: globs relative to the swept repository's root, the file relative to the config's folder. */
function buildInstructionRule(raw: { paths: string[]; file: string }, base: string, at: (key: string) => string): InstructionRule {
  raw.paths.forEach((p) => {
    if (p.startsWith("/") || p.startsWith("../")) throw new ConfigError(`[[instructions]] paths "${p}" must be a glob relative to the root of the repository being swept`, at("paths"));
  });
  const file = resolve(base, raw.file);
  if (!existsSync(file)) throw new ConfigError(`[[instructions]] file = "${raw.file}" does not exist (resolved to ${file}; paths are relative to the config file)`, at("file"));
  checkInputFile(file, `[[instructions]] file = "${raw.file}":`, { where: at("file") });
  return { paths: [...raw.paths], file };
}

/** `[consensus]` with its defaults, checked against the ladder: every rung named exists, and the rule can be met. */
function buildConsensus(raw: NonNullable<RawConfig["consensus"]>, ladder: RungConfig[], where: (path: string) => string): ConsensusConfig {
  const names = ladder.map((r) => r.name);
  const rungs = raw.rungs ?? names.slice(0, 1);
  raw.rungs?.forEach((name, i) => {
    if (!names.includes(name)) throw new ConfigError(`[consensus] rungs names "${name}", which is no rung; expected one of: ${names.join(", ")}`, where(`/consensus/rungs/${i}`));
  });
  const samples = raw.samples ?? DEFAULTS.consensus.samples;
  const voters = rungs.length * samples;
  if (voters < 2) throw new ConfigError(`[consensus] needs at least two answers per shard: name two rungs or set samples = 2 or more`, where("/consensus"));
  if (samples > 1) {
    for (const name of rungs) {
      const r = ladder.find((x) => x.name === name);
      if (r && !(r.temperature !== undefined && r.temperature > 0)) {
        throw new ConfigError(`[consensus] samples = ${samples} asks rung "${name}" more than once, which only helps at a temperature above 0; set temperature on that rung`, where("/consensus/samples"));
      }
    }
  }
  const minAgree = raw.min_agree ?? Math.min(DEFAULTS.consensus.minAgree, voters);
  if (minAgree > voters) throw new ConfigError(`[consensus] min_agree = ${minAgree} exceeds the ${voters} answers each shard gets (${rungs.length} rung(s) × ${samples} sample(s))`, where("/consensus/min_agree"));
  return { rungs, samples, minAgree, lineTolerance: raw.line_tolerance ?? DEFAULTS.consensus.lineTolerance };
}

function buildRung(r: RawRung, i: number, where: (path: string) => string): RungConfig {
  const at = (key: string) => where(`/ladder/${i}/${key}`);
  if (r.provider !== "static" && !r.model) {
    throw new ConfigError(`rung "${r.name}" (provider ${r.provider}) needs a model`, at("provider"));
  }
  if (r.host && r.hosts) throw new ConfigError(`rung "${r.name}": give host or hosts, not both`, at("hosts"));
  if (r.base_url && r.base_urls) throw new ConfigError(`rung "${r.name}": give base_url or base_urls, not both`, at("base_urls"));
  if (r.provider === "ollama" && (r.base_url || r.base_urls)) {
    throw new ConfigError(`rung "${r.name}": provider ollama takes host/hosts, not base_url`, at("base_url"));
  }
  if (r.provider === "openai" && (r.host || r.hosts)) {
    throw new ConfigError(`rung "${r.name}": provider openai takes base_url/base_urls, not host`, at("host"));
  }
  let servers: string[] = [];
  if (r.provider === "ollama") servers = r.hosts ?? [r.host ?? DEFAULTS.rung.ollamaHost];
  if (r.provider === "openai") {
    servers = r.base_urls ?? (r.base_url ? [r.base_url] : []);
    if (servers.length === 0) throw new ConfigError(`rung "${r.name}" (provider openai) needs base_url or base_urls`, at("provider"));
  }
  return {
    name: r.name,
    provider: r.provider,
    model: r.model ?? STATIC_RUNG.model,
    servers: servers.map((s) => s.replace(/\/+$/, "")),
    ...(r.api_key_env ? { apiKeyEnv: r.api_key_env } : {}),
    concurrency: r.concurrency ?? DEFAULTS.rung.concurrency,
    ...(r.requests_per_minute ? { requestsPerMinute: r.requests_per_minute } : {}),
    ...(r.tokens_per_minute ? { tokensPerMinute: r.tokens_per_minute } : {}),
    timeoutMs: Math.round((r.timeout_s ?? DEFAULTS.rung.timeoutS) * 1000),
    retries: r.retries ?? DEFAULTS.rung.retries,
    structured: structuredMode(r.structured) !== "none",
    shape: structuredMode(r.structured),
    ...(r.system_role !== undefined ? { systemRole: r.system_role } : {}),
    cloud: r.cloud ?? DEFAULTS.rung.cloud,
    ...(r.temperature !== undefined ? { temperature: r.temperature } : {}),
    ...(r.max_output_tokens !== undefined ? { maxOutputTokens: r.max_output_tokens } : {}),
    ...(r.provider !== "static" ? { contextTokens: r.context_tokens ?? DEFAULTS.rung.contextTokens[r.provider] } : {}),
    costInPerMtok: r.cost_in_per_mtok ?? DEFAULTS.rung.costPerMtok,
    costOutPerMtok: r.cost_out_per_mtok ?? DEFAULTS.rung.costPerMtok,
  };
}

/** A rung's request shape from `structured`: the old boolean maps true → "auto" (json_schema first), false → "none". */
function structuredMode(value: boolean | StructuredMode | undefined): StructuredMode {
  if (value === undefined) return DEFAULTS.rung.structured ? "auto" : "none";
  if (typeof value === "boolean") return value ? "auto" : "none";
  return value;
}

/** Every rung's API key, read from the environment variable it names; an unset variable is a config error. */
export function resolveApiKeys(config: Config, env: Record<string, string | undefined>): Map<string, string> {
  const keys = new Map<string, string>();
  config.ladder.forEach((r) => {
    if (!r.apiKeyEnv) return;
    const value = env[r.apiKeyEnv];
    if (!value) {
      throw new ConfigError(
        `rung "${r.name}" reads its API key from $${r.apiKeyEnv}, which is unset; export it, or remove the rung (or use --offline)`,
        config.source ?? "config",
      );
    }
    keys.set(r.name, value);
  });
  return keys;
}

function pickError(errors: ErrorObject[]): ErrorObject {
  // The most specific error is the deepest one; oneOf/anyOf wrappers say less.
  const sorted = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length);
  // A key that takes a boolean or a word (`structured`): the words are what a user mistyped.
  const enumAt = sorted.find((e) => e.keyword === "enum" && e.instancePath === sorted[0]!.instancePath);
  if (enumAt) return enumAt;
  return sorted.find((e) => e.keyword !== "oneOf" && e.keyword !== "if") ?? sorted[0]!;
}

function explain(e: ErrorObject): string {
  const key = keyName(e.instancePath) || "(top level)";
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties":
      return `unknown key "${String(params.additionalProperty)}" in ${key === "(top level)" ? "the top level" : key}; see docs/CONFIG.md for the keys allowed`;
    case "required":
      return `${key} is missing the required key "${String(params.missingProperty)}"${params.missingProperty === "ladder" ? " (add at least one [[ladder]] rung)" : ""}`;
    case "enum":
      return `${key} must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "oneOf":
      return `${key} needs exactly one of "pattern" or "command"`;
    default:
      return `${key} ${e.message ?? "is invalid"}`;
  }
}

function keyName(instancePath: string): string {
  return instancePath
    .split("/")
    .filter(Boolean)
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join("");
}

/**
 * The line of a key in the TOML text, found from a JSON pointer (smol-toml keeps no positions for values).
 * Returns "LINE" or "LINE (key)"; falls back to the section header, then line 1.
 */
export function locateKey(text: string, e: Pick<ErrorObject, "instancePath"> & { params?: unknown }): string {
  const parts = e.instancePath.split("/").filter(Boolean);
  const params = (e.params ?? {}) as Record<string, unknown>;
  const extra = typeof params.additionalProperty === "string" ? params.additionalProperty : undefined;
  const lines = text.split(/\r?\n/);
  const [section, second, third] = parts;
  let from = 0;
  let to = lines.length;
  if (section) {
    const isArray = second !== undefined && /^\d+$/.test(second);
    const header = isArray ? new RegExp(`^\\s*\\[\\[\\s*${escapeRegExp(section)}\\s*\\]\\]`) : new RegExp(`^\\s*\\[\\s*${escapeRegExp(section)}\\s*\\]`);
    let seen = -1;
    const want = isArray ? Number(second) : 0;
    for (let i = 0; i < lines.length; i++) {
      if (header.test(lines[i] ?? "")) {
        seen++;
        if (seen === want) {
          from = i;
          break;
        }
      }
    }
    if (seen === want) {
      to = lines.findIndex((l, i) => i > from && /^\s*\[/.test(l));
      if (to === -1) to = lines.length;
    }
    const key = extra ?? (isArray ? third : second);
    if (key) {
      for (let i = from; i < to; i++) {
        if (new RegExp(`^\\s*["']?${escapeRegExp(key)}["']?\\s*=`).test(lines[i] ?? "")) return `${i + 1}`;
      }
    }
    if (seen === want) return `${from + 1}`;
  } else if (extra) {
    const i = lines.findIndex((l) => new RegExp(`^\\s*\\[*\\s*["']?${escapeRegExp(extra)}(?![\\w-])`).test(l));
    if (i >= 0) return `${i + 1}`;
  }
  return "1";
}

/** A key as a literal inside a RegExp: TOML keys may hold any character once quoted (`"a(b" = 1`). */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
