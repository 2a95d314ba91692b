import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../pipeline/config/config";
import { checkInputFile, readInputFile } from "../../pipeline/config/input-file";
import { ConfigError } from "../../domain/errors";

const dir = mkdtempSync(join(tmpdir(), "scrum-input-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fifo = join(dir, "fifo");
Bun.spawnSync(["mkfifo", fifo]);
mkdirSync(join(dir, "folder"));
writeFileSync(join(dir, "prompt.md"), "Review the code.\n");
writeFileSync(join(dir, "big.md"), "x".repeat(5_000_000));
const LADDER = `[[ladder]]\nname = "static"\nprovider = "static"\n`;

/** Write a config into the temp folder and load it; returns the ConfigError's message. */
function refusal(toml: string): string {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(file, toml);
  try {
    loadConfig(file);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("loaded without error");
}

describe("an input file must be a regular file of bounded size", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["a directory", join(dir, "folder"), /is a directory; give a regular file/],
    ["a FIFO (a read would wait for ever)", fifo, /is a FIFO \(named pipe\)/],
    ["a device (/dev/zero never ends)", "/dev/zero", /is a device/],
    ["a missing file", join(dir, "nope.md"), /does not exist/],
    ["a path through a file", join(dir, "prompt.md", "x"), /does not exist/],
    ["a file above the cap", join(dir, "big.md"), /5000000 bytes, more than the 4000000/],
  ];
  for (const [what, file, message] of cases) {
    test(what, () => expect(() => checkInputFile(file, "[prompts] system")).toThrow(message));
  }
  test("a regular file is read", () => expect(readInputFile(join(dir, "prompt.md"), "x")).toBe("Review the code.\n"));
});

describe("routing.toml: bad input found by the fuzz is a ConfigError naming the key and line", () => {
  test("a top-level key with regex characters (was a SyntaxError from a RegExp built from the key)", () => {
    expect(refusal(`"a(b" = 1\n${LADDER}`)).toMatch(/:1: unknown key "a\(b" in the top level/);
    expect(refusal(`${LADDER}\n["x(y"]\nz = 1\n`)).toMatch(/:5: unknown key "x\(y"/);
    expect(refusal(`${LADDER}\n[sweep]\n"[" = 1\n`)).toMatch(/unknown key "\[" in sweep/);
  });
  test('[prompts] system = "." (was EISDIR)', () => expect(refusal(`[prompts]\nsystem = "."\n${LADDER}`)).toMatch(/:2: \[prompts\] system = "\.": .* is a directory/));
  test('proposal = "/dev/zero" and a FIFO (never returned)', () => {
    expect(refusal(`[prompts]\nproposal = "/dev/zero"\n${LADDER}`)).toMatch(/:2: \[prompts\] proposal = "\/dev\/zero": \/dev\/zero is a device/);
    expect(refusal(`[prompts]\nproposal = "fifo"\n${LADDER}`)).toMatch(/is a FIFO/);
  });
  test("an [[instructions]] file that is a directory", () => {
    expect(refusal(`${LADDER}\n[[instructions]]\npaths = ["src/**"]\nfile = "folder"\n`)).toMatch(/:7: \[\[instructions\]\] file = "folder": .* is a directory/);
  });
  test('probe globs stay in the repository (include = ["/**"] walked the whole file system)', () => {
    for (const glob of ["/**", "../**", "src/../../**", "~/x"]) {
      expect(refusal(`${LADDER}\n[[probe]]\nname = "p"\npattern = "x"\ninclude = ["${glob}"]\n`)).toMatch(/:8: \[\[probe\]\] "p" include ".*" leaves the repository/);
    }
  });
  test("timeouts are bounded (timeout_s = 3000000 became a 1 ms timer)", () => {
    expect(refusal(`[[ladder]]\nname = "m"\nprovider = "ollama"\nmodel = "x"\ntimeout_s = 3000000\n`)).toMatch(/:5: ladder\[0\]\.timeout_s must be <= 86400/);
    expect(refusal(`${LADDER}\n[[probe]]\nname = "p"\ncommand = "echo 1"\ntimeout_s = 86401\n`)).toMatch(/probe\[0\]\.timeout_s must be <= 86400/);
  });
  test("integer keys have upper bounds", () => {
    expect(refusal(`[sweep]\nmax_file_bytes = 100000000000\n${LADDER}`)).toMatch(/sweep\.max_file_bytes must be <= 100000000/);
    expect(refusal(`[consensus]\nmin_agree = 1000\n${LADDER}`)).toMatch(/consensus\.min_agree must be <= 100/);
  });
});
