/**
 * Builds tests/fixtures/secrets-corpus/corpus.jsonl: the true-positive secret values (and the false-positive lines) of
 * three public rule sets' own test data, at pinned commits, so redaction is tested against secrets nobody here wrote.
 *
 *   gitleaks        every rule's `tps`/`fps` (cmd/generate/config/rules/*.go): the generator is run with its
 *                   Validate patched to record each case and the secret gitleaks' own detector extracts from it
 *                   (many tps are generated from the rule's regex, so only running them yields the values)
 *   trufflehog      each detector's pattern test (pkg/detectors/**\/*_test.go): the `want` values, resolved from the
 *                   file's string constants; a `id:secret` pair is split into the parts written in the file
 *   detect-secrets  each plugin test's cases (tests/plugins/*_test.py): the secret the plugin itself extracts, or the
 *                   value the test expects (secrets-extract-detect-secrets.py)
 *
 * Usage: bun scripts/corpus/secrets-extract.ts --gitleaks GITDIR --trufflehog GITDIR --detect-secrets GITDIR
 * Each GITDIR is a clone (bare is fine) holding the pinned commit below. Needs `go` (the gitleaks module downloads
 * its dependencies through the Go module proxy) and `python3` with PyYAML and requests.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const SOURCES = {
  gitleaks: { repo: "gitleaks/gitleaks", commit: "b58d3f102cf3a2c84cb7f923d05c25c9b1aed84b" },
  trufflehog: { repo: "trufflesecurity/trufflehog", commit: "3ab759fef4bb5935d4fe9ac68b503d05346b8364" },
  "detect-secrets": { repo: "Yelp/detect-secrets", commit: "5e141933554a0b74e7341841f318be21e895339c" },
} as const;
type Source = keyof typeof SOURCES;

/** One case of a rule set's test data: a true positive with the secret value(s) in it, or a false-positive line. */
export interface CorpusCase {
  source: Source;
  rule: string;
  kind: "tp" | "fp";
  /** The test line as the rule set wrote it. */
  text: string;
  /** The secret values in `text` (tp only). */
  values: string[];
}

const REPO = resolve(import.meta.dir, "../..");
const OUT = join(REPO, "tests/fixtures/secrets-corpus");

/** The pinned commit of a clone, unpacked into a fresh temporary directory. */
function checkout(source: Source, gitDir: string): string {
  const { commit } = SOURCES[source];
  try {
    execFileSync("git", ["--git-dir", gitDir, "cat-file", "-e", `${commit}^{commit}`]);
  } catch {
    throw new Error(`${gitDir} does not hold ${SOURCES[source].repo} at ${commit}: fetch that commit first`);
  }
  const dir = mkdtempSync(join(tmpdir(), `scrum-${source}-`));
  execFileSync("sh", ["-c", `git --git-dir "$0" archive "$1" | tar -x -C "$2"`, gitDir, commit, dir]);
  return dir;
}

/** Go added to gitleaks' utils package: appends each Validate case and its detected secrets to $SCRUM_CORPUS_OUT. */
const GITLEAKS_RECORDER = `package utils

import (
	"encoding/json"
	"os"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
)

func recordCase(r *config.Rule, d *detect.Detector, kind string, path string, text string) {
	secrets := []string{}
	for _, finding := range d.Detect(detect.Fragment{Raw: text, FilePath: path}) {
		secrets = append(secrets, finding.Secret)
	}
	line, err := json.Marshal(map[string]any{"rule": r.RuleID, "kind": kind, "text": text, "secrets": secrets})
	if err != nil {
		panic(err)
	}
	f, err := os.OpenFile(os.Getenv("SCRUM_CORPUS_OUT"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\\n')); err != nil {
		panic(err)
	}
}
`;

function gitleaksCases(dir: string): CorpusCase[] {
  const validate = join(dir, "cmd/generate/config/utils/validate.go");
  let text = readFileSync(validate, "utf8");
  for (const [loop, call] of [
    ["for _, tp := range truePositives {", `recordCase(r, d, "tp", "", tp)`],
    ["for _, fp := range falsePositives {", `recordCase(r, d, "fp", "", fp)`],
    ["for path, tp := range truePositives {", `recordCase(r, d, "tp", path, tp)`],
    ["for path, fp := range falsePositives {", `recordCase(r, d, "fp", path, fp)`],
  ] as const) {
    if (!text.includes(loop)) throw new Error(`gitleaks: ${validate} no longer has \`${loop}\`; update the patch`);
    text = text.replace(loop, `${loop}\n\t\t${call}`);
  }
  writeFileSync(validate, text);
  writeFileSync(join(dir, "cmd/generate/config/utils/scrum_record.go"), GITLEAKS_RECORDER);
  const out = join(dir, "cases.jsonl");
  // The generator validates every rule, then writes gitleaks.toml; only the validation is wanted.
  execFileSync("go", ["run", ".", join(dir, "gitleaks.toml")], { cwd: join(dir, "cmd/generate/config"), env: { ...process.env, SCRUM_CORPUS_OUT: out }, stdio: ["ignore", "ignore", "inherit"] });
  return readLines(out).map((row) => {
    const r = row as { rule: string; kind: "tp" | "fp"; text: string; secrets: string[] };
    return { source: "gitleaks", rule: r.rule, kind: r.kind, text: r.text, values: r.kind === "tp" ? [...new Set(r.secrets)] : [] };
  });
}

/** A Go string literal's value ("…" with escapes, or `…` raw); undefined for escapes JSON does not share (\\x, octal). */
function goString(literal: string): string | undefined {
  if (literal.startsWith("`")) return literal.slice(1, -1);
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}
const GO_STRING = String.raw`"(?:[^"\\\n]|\\.)*"|\x60[^\x60]*\x60`;

/** A multi-part detector's endpoint or account (`tenant.atlassian.net`, `me@example.com`): reported with the secret, not one. */
const HOST_OR_EMAIL = /^(?:[\w.+-]+@)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?$/i;

function trufflehogCases(dir: string): CorpusCase[] {
  const root = join(dir, "pkg/detectors");
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith("_test.go") && !f.includes("integration"));
  const out: CorpusCase[] = [];
  for (const file of files.sort()) {
    const text = readFileSync(join(root, file), "utf8");
    const consts = new Map<string, string>();
    for (const m of text.matchAll(new RegExp(String.raw`^\s*(\w+)\s*(?::=|=)\s*(${GO_STRING})\s*(?:\/\/.*)?$`, "gm"))) {
      const value = goString(m[2]!);
      if (value !== undefined) consts.set(m[1]!, value);
    }
    const strings = [...text.matchAll(new RegExp(GO_STRING, "g"))].map((m) => goString(m[0]) ?? m[0]).join("\n");
    for (const want of text.matchAll(/want:\s*\[\]string\{([^}]*)\}/g)) {
      for (const element of splitTopLevel(want[1]!)) {
        const value = evalConcat(element, consts);
        if (value === undefined) continue;
        const written = (v: string) => v.length >= 8 && strings.includes(v);
        // A pair the detector reports as `id:secret` is tested on its parts, each as written in the test input.
        // A detector that reports the secret with its endpoint (`token:https://jira.example.com`) is tested on the secret.
        const secret = value.replace(/:?(?:[a-z]+:)?\/\/\S*$/, "");
        const values = (written(secret) ? [secret] : secret.split(/[:;|]/).filter(written)).filter((v) => !/^(?:[a-z]+:)?\/\//.test(v) && !HOST_OR_EMAIL.test(v));
        if (values.length > 0) out.push({ source: "trufflehog", rule: file.replace(/_test\.go$/, ""), kind: "tp", text: value, values });
      }
    }
  }
  return out;
}

/** The comma-separated elements of a Go composite literal body, ignoring commas inside strings. */
function splitTopLevel(body: string): string[] {
  const parts = body.match(new RegExp(String.raw`(?:${GO_STRING}|[^,"\x60])+`, "g")) ?? [];
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

/** A `"a" + name + "b"` expression over string literals and the file's string constants; undefined for anything else. */
function evalConcat(expr: string, consts: Map<string, string>): string | undefined {
  let value = "";
  for (const term of expr.split(/\s*\+\s*(?=(?:[^"\x60]*["\x60][^"\x60]*["\x60])*[^"\x60]*$)/)) {
    const t = term.trim();
    if (/^["\x60]/.test(t)) {
      const literal = goString(t);
      if (literal === undefined) return undefined;
      value += literal;
    } else if (consts.has(t)) value += consts.get(t)!;
    else return undefined;
  }
  return value;
}

function detectSecretsCases(dir: string): CorpusCase[] {
  const script = join(REPO, "scripts/corpus/secrets-extract-detect-secrets.py");
  const text = execFileSync("python3", [script, dir], { encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "inherit"] });
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const r = JSON.parse(l) as { rule: string; text: string; expected: string | boolean | null; secrets: string[] };
      // The keyword tests name the value they expect; the others rely on the plugin's own extraction.
      const values = typeof r.expected === "string" ? [r.expected] : r.expected === false || r.expected === null ? [] : r.secrets;
      const kind = values.length > 0 ? "tp" : "fp";
      return { source: "detect-secrets", rule: r.rule, kind, text: r.text, values } satisfies CorpusCase;
    });
}

function readLines(path: string): unknown[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as unknown);
}

if (import.meta.main) {
  const { values: args } = parseArgs({ options: { gitleaks: { type: "string" }, trufflehog: { type: "string" }, "detect-secrets": { type: "string" } } });
  const cases: CorpusCase[] = [];
  const counts: Record<string, { repo: string; commit: string; tp: number; fp: number }> = {};
  for (const source of Object.keys(SOURCES) as Source[]) {
    const gitDir = args[source];
    if (!gitDir) {
      console.error(`secrets-extract: --${source} GITDIR is required (a clone of ${SOURCES[source].repo})`);
      process.exit(2);
    }
    const dir = checkout(source, resolve(gitDir));
    try {
      const found = source === "gitleaks" ? gitleaksCases(dir) : source === "trufflehog" ? trufflehogCases(dir) : detectSecretsCases(dir);
      cases.push(...found);
      counts[source] = { ...SOURCES[source], tp: found.filter((c) => c.kind === "tp").length, fp: found.filter((c) => c.kind === "fp").length };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // Sorted and deduplicated so a re-run over the same commits changes only what the generators randomise.
  const unique = new Map(cases.map((c) => [JSON.stringify([c.source, c.rule, c.kind, c.text, c.values]), c]));
  const sorted = [...unique.values()].sort((a, b) => a.source.localeCompare(b.source) || a.rule.localeCompare(b.rule) || a.kind.localeCompare(b.kind) || a.text.localeCompare(b.text));
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, "corpus.jsonl"), sorted.map((c) => JSON.stringify(c)).join("\n") + "\n");
  writeFileSync(join(OUT, "sources.json"), JSON.stringify({ generatedBy: "scripts/corpus/secrets-extract.ts", sources: counts }, null, 2) + "\n");
  console.log(Object.entries(counts).map(([s, c]) => `${s} ${c.commit.slice(0, 12)}: ${c.tp} tp, ${c.fp} fp`).join("\n"));
}
