/**
 * Secret redaction for rungs marked `cloud = true`: every secret in a request is replaced by a stable placeholder
 * (`<REDACTED:ab12cd34>`, from a hash of the value) before the request leaves the machine. Detection is secretlint's
 * recommended preset plus the source-code detectors of secret-detectors.ts.
 */
import { createHash } from "node:crypto";
import type { CompletionRequest } from "../providers/provider";
import { findSourceSecrets, isPlaceholder, type SecretSpan } from "./secret-detectors";
import { findSecretPieces, MIN_PIECE, spanInSource, unescapeView, type EscapeView } from "./secret-views";

export interface Redaction {
  text: string;
  /** Secrets replaced (a private key spanning many lines counts once). */
  count: number;
}

type SecretlintConfig = Parameters<typeof import("@secretlint/core").lintSource>[0]["options"]["config"];
type SecretlintMessage = Awaited<ReturnType<typeof import("@secretlint/core").lintSource>>["messages"][number];
type Linter = (text: string) => Promise<SecretSpan[]>;

/** Built once per process: loading the preset and its rules is the slow part, linting a shard is not. */
let linter: Promise<Linter> | undefined;

/** The placeholder for a secret: 8 hex characters of its SHA-256, so one secret reads the same in every shard. */
export function placeholderFor(value: string): string {
  return `<REDACTED:${createHash("sha256").update(value).digest("hex").slice(0, 8)}>`;
}

/** Replace every secret in `text` with its placeholder; returns the text and how many secrets were replaced. */
export async function redactSecrets(text: string, known: ReadonlySet<string> = new Set()): Promise<Redaction> {
  if (text.trim() === "") return { text, count: 0 };
  const spans = mergeSpans([...(await findSecrets(text)), ...findSecretPieces(text, known)]);
  let out = text;
  // From the end backwards, so the offsets of the spans still to replace stay valid.
  for (const s of [...spans].reverse()) out = out.slice(0, s.start) + maskSpan(text.slice(s.start, s.end)) + out.slice(s.end);
  return { text: out, count: spans.length };
}

/** Escape levels looked through: a string in a JSON document in a JSON string is two. */
const ESCAPE_LEVELS = 2;

/** Where every secret in `text` sits: the detectors over the text and over its unescaped views (`{\"api_key\": \"…\"}`). */
async function findSecrets(text: string): Promise<SecretSpan[]> {
  const lint = await (linter ??= loadSecretlint());
  const spans = [...(await lint(text)), ...findSourceSecrets(text)];
  let view = unescapeView(text);
  const maps: EscapeView[] = [];
  for (let level = 0; view !== null && level < ESCAPE_LEVELS; level++) {
    maps.unshift(view);
    const found = [...(await lint(view.text)), ...findSourceSecrets(view.text)];
    // Back through every level to the text as given.
    spans.push(...found.map((s) => maps.reduce((span, m) => spanInSource(m, span), s)));
    view = unescapeView(view.text);
  }
  return spans;
}

/** The secret values in `texts` (what the detectors mask), for masking them again wherever they reappear, whole or cut. */
export async function secretValues(texts: readonly string[]): Promise<Set<string>> {
  const values = new Set<string>();
  for (const text of texts) {
    for (const s of mergeSpans(await findSecrets(text))) {
      const raw = text.slice(s.start, s.end);
      // A key body spans lines: each line is a value of its own (a summary quotes lines, not the block).
      for (const line of raw.split("\n")) {
        const value = line.replace(LINE_PREFIX, "").trim();
        if (value.length >= MIN_PIECE) values.add(value);
        // The value as an escaped string writes it (a JSON body), and unescaped if it was written escaped.
        const escaped = JSON.stringify(value).slice(1, -1);
        if (escaped !== value) values.add(escaped);
        const plain = unescapeView(value)?.text;
        if (plain && plain.length >= MIN_PIECE) values.add(plain);
      }
    }
  }
  return values;
}

/** The request fields a cloud rung gets, plus `sources`: the texts it was made from, never sent. */
type Redactable = Pick<CompletionRequest, "system" | "prompt" | "shard" | "sources">;

/**
 * The one door to a cloud rung: every request (shard review, consensus vote, reduce, and any later kind) is redacted
 * here, in `callRung`, before it leaves. System prompt (with the proposal), user prompt (shard, preamble, notes, or the
 * reduce input) and the raw shard are each redacted: every secret the detectors find, also inside escaped strings,
 * and every piece of at least 8 characters of a secret found in `sources` (the file the request was made from), so a
 * summary that quotes half a token or a JSON-escaped one does not carry it out. `count` is what leaves the machine:
 * system and prompt. `sources` is dropped from the request.
 */
export async function redactRequest<T extends Redactable>(request: T): Promise<{ request: Omit<T, "sources">; count: number }> {
  const { sources, ...rest } = request;
  const known = await knownSecrets(sources ?? []);
  const [system, prompt] = await Promise.all([redactSecrets(rest.system, known), redactSecrets(rest.prompt, known)]);
  // The raw shard is only read by local providers (the static rung); it is masked too so no provider can send it on.
  const shard = rest.shard ? { ...rest.shard, text: (await redactSecrets(rest.shard.text, known)).text } : undefined;
  return { request: { ...rest, system: system.text, prompt: prompt.text, ...(shard ? { shard } : {}) }, count: system.count + prompt.count };
}

/** The secrets of the last few source files: every shard of a file (and its reduce) names the same file. */
const knownBySource = new Map<string, Promise<Set<string>>>();
const KNOWN_CACHE = 8;

async function knownSecrets(sources: readonly string[]): Promise<Set<string>> {
  const all = new Set<string>();
  for (const source of sources) {
    let values = knownBySource.get(source);
    if (values === undefined) {
      values = secretValues([source]);
      knownBySource.set(source, values);
      if (knownBySource.size > KNOWN_CACHE) knownBySource.delete(knownBySource.keys().next().value!);
    }
    for (const v of await values) all.add(v);
  }
  return all;
}

async function loadSecretlint(): Promise<Linter> {
  // Imported on first use: the CLI's cold start does not pay for the preset's rules.
  const [{ lintSource }, { creator }] = await Promise.all([import("@secretlint/core"), import("@secretlint/secretlint-rule-preset-recommend")]);
  const config: SecretlintConfig = {
    rules: [
      {
        id: "@secretlint/secretlint-rule-preset-recommend",
        rule: creator,
        // AWS access key ids are off by default in the preset; in code sent to a third party they are worth masking.
        rules: [{ id: "@secretlint/secretlint-rule-aws", options: { enableIDScanRule: true } }],
      },
    ],
  };
  return async (text) => {
    const result = await lintSource({ source: { content: text, filePath: "request.txt", contentType: "text" }, options: { config, noPhysicFilePath: true } });
    return result.messages.flatMap((m) => spanOf(text, m));
  };
}

/**
 * Where a secretlint message's secret sits. Its `data` holds the secret value for the preset's rules; the range alone
 * is not trusted (the AWS secret rule reports the start of the assignment with the length of the value).
 */
function spanOf(text: string, message: SecretlintMessage): SecretSpan[] {
  const detector = `secretlint:${message.messageId}`;
  const values: unknown[] = Object.values(message.data ?? {});
  const candidates = values
    .filter((v): v is string => typeof v === "string" && v.length >= 8)
    .map((v) => v.replace(/["'`]+$/, ""))
    .filter((v) => text.includes(v))
    .sort((a, b) => b.length - a.length);
  const value = candidates[0];
  if (value === undefined) {
    const [start, end] = message.range;
    return end > start ? [{ start, end, detector }] : [];
  }
  let start = text.indexOf(value, message.range[0]);
  if (start < 0) start = text.indexOf(value);
  // A connection string is reported whole; only its password is secret, and the rest tells the reviewer what it is.
  const url = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s:/@]+:([^\s/@]+)@/.exec(value);
  if (url) {
    if (isPlaceholder(url[1]!)) return [];
    const at = url[0].length - 1 - url[1]!.length;
    return [{ start: start + at, end: start + at + url[1]!.length, detector }];
  }
  return [{ start, end: start + value.length, detector }];
}

/** Sort and union overlapping spans (two detectors seeing one secret, or one inside another). */
export function mergeSpans(spans: SecretSpan[]): SecretSpan[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const out: SecretSpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** A review prompt's line-number prefix, `  12 | `, kept when a secret spans lines so the numbering survives. */
const LINE_PREFIX = /^(\s*\d+ \| )?(\s*)/;

/** The replacement for one secret: its placeholder, on every line it spans, each line keeping its number prefix. */
function maskSpan(value: string): string {
  if (!value.includes("\n")) return placeholderFor(value);
  const lines = value.split("\n");
  const content = (line: string) => line.slice(LINE_PREFIX.exec(line)![0].length).trimEnd();
  // The hash ignores line numbers: the same key reads the same in a shard and in the proposal document.
  const placeholder = placeholderFor(lines.map(content).filter((l) => l !== "").join("\n"));
  return lines.map((line) => (content(line) === "" ? line : LINE_PREFIX.exec(line)![0] + placeholder)).join("\n");
}
