/**
 * The secret corpus (tests/fixtures/secrets-corpus/corpus.jsonl, built by scripts/corpus/secrets-extract.ts from the
 * test data of gitleaks, trufflehog and detect-secrets) and the source files it is planted in: each value in typed
 * and untyped declarations of the sharder's languages, in strings, comments and env/YAML/JSON files.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isPlaceholder, isWordy } from "../../pipeline/review/secret-assignments";

const CORPUS = resolve(import.meta.dir, "../fixtures/secrets-corpus/corpus.jsonl");

export interface CorpusCase {
  source: "gitleaks" | "trufflehog" | "detect-secrets";
  rule: string;
  kind: "tp" | "fp";
  text: string;
  values: string[];
}

export function readCorpus(): CorpusCase[] {
  return readFileSync(CORPUS, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as CorpusCase);
}

/**
 * Values the redactor does not claim to mask, each with why (docs/SECURITY.md, "What is not covered"):
 * - a passphrase with spaces, and values under 8 characters (a rule set's test of a prefix alone, such as `ghp`);
 * - placeholders the redactor reads as such (`test-token-6`, `${VAR}`);
 * - synthetic values made mostly of one repeated character or chunk (`AKCxxxxxxxxxx`, `ABIAZZZZZZZZZZZZZZZZ`,
 *   `12345678-ABCD-ABCD-ABCD-1234567890AB`, `12345678ABCDEFH1234567890ABCDEFH12345678`): a rule set's shape test, not a credential anyone was issued;
 * - values that read as words (`TestSourcePassword`, `cafebabe:deadbeef`): the rule that keeps `PasswordEncoder` and
 *   `same-origin` unmasked;
 * - `jdbc:db2`, `Endpoint=`: what trufflehog's tests expect is a connection string's prefix, not a credential;
 * - gitleaks' `jwt-base64` values: the rule's capture is a 10-character piece of a base64 blob, not a credential;
 *   the blob itself is masked (its own test lines are planted whole and checked).
 */
export function outOfScope(value: string, rule = ""): string | null {
  const v = value.trim();
  if (/\s/.test(v)) return "passphrase with spaces";
  if (v.length < 8) return "shorter than 8 characters";
  if (isPlaceholder(v)) return "a placeholder (`test-token-6`, `${VAR}`)";
  if (isSynthetic(v)) return "synthetic: mostly one repeated character or chunk";
  if (isWordy(v)) return "reads as words";
  if (/^(?:jdbc:[a-z0-9]+|[A-Za-z]+=)$/.test(v)) return "a connection string's prefix, not a credential";
  if (rule === "jwt-base64") return "a fragment of a base64 blob (the blob is masked)";
  return null;
}

/**
 * Mostly one character or one chunk repeated (a run covering 40% of the value, or a chunk of 4+ repeated over 60%), or
 * mostly an alphabet in order (`12345678ABCDEFH1234567890…`).
 */
export function isSynthetic(value: string): boolean {
  const longest = (re: RegExp) => Math.max(0, ...[...value.matchAll(re)].map((m) => m[0].length));
  let sequential = 0;
  for (let i = 1; i < value.length; i++) if (value.charCodeAt(i) === value.charCodeAt(i - 1) + 1) sequential++;
  return longest(/(.{1,12}?)\1{2,}/g) >= Math.max(6, 0.4 * value.length) || longest(/(.{4,12})\1+/g) >= 0.6 * value.length || sequential >= 0.5 * (value.length - 1);
}

/** Every distinct true-positive value of the corpus that the redactor claims to mask, with the rule that tests it. */
export function corpusSecrets(): Array<{ value: string; rule: string; source: string }> {
  const seen = new Map<string, { value: string; rule: string; source: string }>();
  for (const c of readCorpus()) {
    if (c.kind !== "tp") continue;
    for (const raw of c.values) {
      const value = raw.trim();
      if (outOfScope(value, c.rule) === null && !seen.has(value)) seen.set(value, { value, rule: c.rule, source: c.source });
    }
  }
  return [...seen.values()];
}

/** A planted file: its path in the project and its text. */
export interface PlantFile {
  path: string;
  text: string;
}

const q = (v: string) => JSON.stringify(v);
const sq = (v: string) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/**
 * Declaration forms per language: `n` is a secret-sounding name, `v` the value. Typed and untyped, constants and
 * fields, calls that take a secret, comments and strings.
 */
const FORMS: Array<{ ext: string; lines: Array<(n: string, v: string) => string> }> = [
  { ext: "ts", lines: [(n, v) => `export const ${camel(n)}: string = ${q(v)};`, (n, v) => `const ${camel(n)} = ${sq(v)};`, (n, v) => `  private readonly ${camel(n)}: Readonly<string> = ${q(v)};`, (n, v) => `// ${n}: ${v}`, (n, v) => `const cfg = { ${camel(n)}: \`${v.replace(/[`\\$]/g, "\\$&")}\` };`] },
  { ext: "rs", lines: [(n, v) => `pub const ${upper(n)}: &str = ${q(v)};`, (n, v) => `static ${upper(n)}: &'static str = ${q(v)};`, (n, v) => `let ${snake(n)}: String = String::from(${q(v)});`, (n, v) => `/// ${snake(n)} = ${v}`] },
  { ext: "go", lines: [(n, v) => `var ${camel(n)} string = ${q(v)}`, (n, v) => `const ${pascal(n)} = ${q(v)}`, (n, v) => `	cfg := Config{${pascal(n)}: ${q(v)}}`, (n, v) => `	${camel(n)} := []byte(${q(v)})`, (n, v) => `	os.Setenv(${q(upper(n))}, ${q(v)})`] },
  { ext: "py", lines: [(n, v) => `${upper(n)}: Final[str] = ${q(v)}`, (n, v) => `${snake(n)}: str = ${sq(v)}`, (n, v) => `client = Client(${snake(n)}=${q(v)})`, (n, v) => `# ${snake(n)} = ${v}`, (n, v) => `settings = {${q(snake(n))}: ${q(v)}}`] },
  { ext: "kt", lines: [(n, v) => `val ${camel(n)}: String = ${q(v)}`, (n, v) => `const val ${upper(n)} = ${q(v)}`, (n, v) => `private var ${camel(n)}: String? = ${q(v)}`] },
  { ext: "java", lines: [(n, v) => `    private static final String ${upper(n)} = ${q(v)};`, (n, v) => `    props.put(${q(snake(n))}, ${q(v)});`, (n, v) => `    builder.set${pascal(n)}(${q(v)});`] },
  { ext: "cs", lines: [(n, v) => `    public const string ${pascal(n)} = ${q(v)};`, (n, v) => `    public string ${pascal(n)} { get; set; } = @${q(v).replace(/\\"/g, '""')};`] },
  { ext: "c", lines: [(n, v) => `static const char *${snake(n)} = ${q(v)};`, (n, v) => `char ${snake(n)}[] = ${q(v)};`, (n, v) => `#define ${upper(n)} ${q(v)}`] },
  { ext: "php", lines: [(n, v) => `define(${sq(upper(n))}, ${sq(v)});`, (n, v) => `$${camel(n)} = ${sq(v)};`, (n, v) => `    '${snake(n)}' => ${sq(v)},`] },
  { ext: "rb", lines: [(n, v) => `${upper(n)} = ${q(v)}.freeze`, (n, v) => `  config.${snake(n)} = ${sq(v)}`, (n, v) => `ENV[${q(upper(n))}] = ${q(v)}`] },
  { ext: "swift", lines: [(n, v) => `let ${camel(n)}: String = ${q(v)}`] },
  { ext: "sh", lines: [(n, v) => `export ${upper(n)}=${sq(v)}`, (n, v) => `${upper(n)}=${q(v)} ./deploy.sh`] },
  { ext: "env", lines: [(n, v) => `${upper(n)}=${v}`] },
  { ext: "yaml", lines: [(n, v) => `  ${snake(n)}: ${v}`, (n, v) => `  ${snake(n)}: ${q(v)}`] },
  { ext: "json", lines: [(n, v) => `  ${q(snake(n))}: ${q(v)},`] },
  { ext: "toml", lines: [(n, v) => `${snake(n)} = ${q(v)}`] },
];

const NAMES = ["api key", "client secret", "db password", "auth token", "access token", "secret key", "private token", "service api key"];
const STRONG_NAMES = ["api key", "client secret", "db password", "secret key", "service api key"];
const words = (n: string) => n.split(" ");
const camel = (n: string) => words(n).map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join("");
const pascal = (n: string) => words(n).map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
const snake = (n: string) => words(n).join("_");
const upper = (n: string) => snake(n).toUpperCase();

/** A value fits a form when the form can write it without changing it (no line break; env/YAML bare: no quote or space). */
function writable(value: string): boolean {
  return !value.includes("\n");
}

/**
 * The corpus planted in files: value i goes into every form of one language (languages in turn), and the rule set's
 * own test line goes into a text file. Returns the files and, per value, where it was written.
 */
export function plantCorpus(secrets: Array<{ value: string }>, cases: CorpusCase[] = []): { files: PlantFile[]; planted: Array<{ value: string; path: string }> } {
  const bodies = new Map<string, string[]>();
  const planted: Array<{ value: string; path: string }> = [];
  secrets.forEach(({ value }, i) => {
    if (!writable(value)) return;
    const form = FORMS[i % FORMS.length]!;
    // A name that also means other things (`token`) claims only values of 16+ characters or symbol-rich ones
    // (docs/SECURITY.md): shorter values go under names that only ever hold a secret.
    const names = value.length >= 16 ? NAMES : STRONG_NAMES;
    const name = names[Math.floor(i / FORMS.length) % names.length]!;
    const path = `src/plant${Math.floor(i / (FORMS.length * 8))}.${form.ext}`;
    const lines = bodies.get(path) ?? [];
    for (const line of form.lines) lines.push(line(name, value));
    // A line of ordinary code between plants, so each sits in its own statement.
    lines.push(`// ${"-".repeat(20)}`.replace("//", form.ext === "py" || form.ext === "rb" || form.ext === "sh" || form.ext === "yaml" || form.ext === "env" || form.ext === "toml" ? "#" : form.ext === "json" ? "" : "//"));
    bodies.set(path, lines);
    planted.push({ value, path });
  });
  // The rule sets' own test lines, as they wrote them, in a text file and in a JSON fixture.
  // trufflehog's cases are its expected values, not test inputs: only gitleaks' and detect-secrets' lines are planted.
  const own = cases.filter((c) => c.kind === "tp" && c.source !== "trufflehog" && c.values.some((v) => outOfScope(v, c.rule) === null));
  for (let k = 0; k < own.length; k += 400) {
    const chunk = own.slice(k, k + 400);
    bodies.set(`testdata/cases${k / 400}.txt`, chunk.map((c) => c.text));
    for (const c of chunk) for (const v of c.values) if (outOfScope(v, c.rule) === null) planted.push({ value: v.trim(), path: `testdata/cases${k / 400}.txt` });
  }
  const files = [...bodies].map(([path, lines]) => ({ path, text: lines.join("\n") + "\n" }));
  return { files, planted };
}

export const PLANT_DIR = join(resolve(import.meta.dir, "../.."), "tests/fixtures/secrets-corpus");
