import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../pipeline/config/config";
import { ConfigError } from "../../domain/errors";
import { describeInstructions, instructionsFor, loadInstructions, withInstructions } from "../../pipeline/review/instructions";

let dir: string;
const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A repository with `.scrum/routing.toml` (one static rung plus `extra`) and the given files under `.scrum/`. */
function repo(extra: string, files: Record<string, string> = {}): string {
  dir = mkdtempSync(join(tmpdir(), "scrum-rules-"));
  made.push(dir);
  mkdirSync(join(dir, ".scrum/rules"), { recursive: true });
  for (const [rel, text] of Object.entries(files)) writeFileSync(join(dir, ".scrum", rel), text);
  const file = join(dir, ".scrum/routing.toml");
  writeFileSync(file, `[[ladder]]\nname = "static"\nprovider = "static"\n\n${extra}`);
  return file;
}

const TWO_RULES = `[[instructions]]\npaths = ["src/auth/**"]\nfile = "rules/auth.md"\n\n[[instructions]]\npaths = ["**/*.sql", "src/auth/db.ts"]\nfile = "rules/sql.md"\n`;
const RULE_FILES = { "rules/auth.md": "Tokens are compared in constant time.\n", "rules/sql.md": "Queries are parameterised, never concatenated.\n" };

describe("[[instructions]] in routing.toml", () => {
  test("paths stay relative to the repository; file resolves against the config's folder", () => {
    const config = loadConfig(repo(TWO_RULES, RULE_FILES));
    expect(config.instructions).toEqual([
      { paths: ["src/auth/**"], file: join(dir, ".scrum/rules/auth.md") },
      { paths: ["**/*.sql", "src/auth/db.ts"], file: join(dir, ".scrum/rules/sql.md") },
    ]);
  });

  test.each([
    ["a missing file", `[[instructions]]\npaths = ["src/**"]\nfile = "rules/nope.md"\n`, /routing\.toml:7.*\[\[instructions\]\] file = "rules\/nope\.md" does not exist/],
    ["an absolute glob", `[[instructions]]\npaths = ["/etc/**"]\nfile = "rules/auth.md"\n`, /routing\.toml:6.*paths "\/etc\/\*\*" must be a glob relative to the root/],
    ["no paths", `[[instructions]]\nfile = "rules/auth.md"\n`, /routing\.toml:5.*instructions\[0\] is missing the required key "paths"/],
    ["an unknown key", `[[instructions]]\npaths = ["src/**"]\nfile = "rules/auth.md"\nglob = "x"\n`, /routing\.toml:8: unknown key "glob" in instructions\[0\]/],
    ["an observer url that is no URL", `[observer]\nurl = "localhost:3800"\n`, /routing\.toml:6: observer\.url must match pattern/],
  ])("%s is a config error naming the line and key", (_name, toml, pattern) => {
    const file = repo(toml, RULE_FILES);
    let error: unknown;
    try {
      loadConfig(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(pattern);
  });

  test("[observer] takes its defaults: a queue of 1000, 2 s per POST", () => {
    const config = loadConfig(repo(`[observer]\nurl = "http://127.0.0.1:3800/event"\n`));
    expect(config.observer).toEqual({ url: "http://127.0.0.1:3800/event", maxQueue: 1000, timeoutMs: 2000 });
    expect(loadConfig(repo("")).observer).toBeUndefined();
  });
});

describe("instructions for a file", () => {
  function loaded() {
    const config = loadConfig(repo(TWO_RULES, RULE_FILES));
    return loadInstructions(config.instructions, dir);
  }

  test.each([
    ["src/auth/login.ts", [".scrum/rules/auth.md"]],
    ["src/auth/db.ts", [".scrum/rules/auth.md", ".scrum/rules/sql.md"]],
    ["migrations/001.sql", [".scrum/rules/sql.md"]],
    ["src/billing.ts", []],
    ["auth/login.ts", []],
  ])("%s gets %p", (path, names) => {
    expect(instructionsFor(loaded(), path).map((l) => l.name)).toEqual(names);
  });

  test("the rules follow the system prompt, each under its file's name; with none the system prompt is unchanged", () => {
    const rules = instructionsFor(loaded(), "src/auth/db.ts");
    const system = withInstructions("FORENSIC PROMPT\n", rules);
    expect(system.startsWith("FORENSIC PROMPT\n")).toBe(true);
    const auth = system.indexOf("### .scrum/rules/auth.md\n\nTokens are compared in constant time.");
    const sql = system.indexOf("### .scrum/rules/sql.md\n\nQueries are parameterised");
    expect(auth).toBeGreaterThan(system.indexOf("Repository rules for this file"));
    expect(sql).toBeGreaterThan(auth);
    expect(system).not.toContain("<!--");
    expect(withInstructions("FORENSIC PROMPT\n", [])).toBe("FORENSIC PROMPT\n");
  });

  test("the KB record names each file with the sha of the text used and its globs; null when none applied", () => {
    const rules = instructionsFor(loaded(), "src/auth/db.ts");
    const described = JSON.parse(describeInstructions(rules)!);
    expect(described).toEqual([
      { file: ".scrum/rules/auth.md", sha: new Bun.CryptoHasher("sha256").update(RULE_FILES["rules/auth.md"]).digest("hex"), paths: ["src/auth/**"] },
      { file: ".scrum/rules/sql.md", sha: expect.stringMatching(/^[0-9a-f]{64}$/), paths: ["**/*.sql", "src/auth/db.ts"] },
    ]);
    expect(describeInstructions([])).toBeNull();
  });

  test("an empty rules file is a config error naming it; a file outside the repository is named by its absolute path", () => {
    expect(() => loadInstructions([{ paths: ["**"], file: "/x/empty.md" }], "/repo", () => "  \n")).toThrow(/\/x\/empty\.md: \[\[instructions\]\] file is empty/);
    expect(loadInstructions([{ paths: ["**"], file: "/shared/rules.md" }], "/repo", () => "rule")[0]!.name).toBe("/shared/rules.md");
  });
});
