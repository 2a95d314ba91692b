/**
 * Bad paths given to the CLI, as real processes: each is exit 2 with a message naming the file, never a stack trace,
 * and a refused command leaves the KB byte for byte as it was (issue 23's argument fuzz destroyed KBs this way).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { kbText } from "../e2e/harness";
import { ON_POSTGRES, rootKbEnv } from "../kb/postgres-server";

const MAIN = resolve(import.meta.dir, "../../pipeline/cli/main.ts");
let repo: string;
let kb: string;

function scrum(args: string[], env: Record<string, string> = {}) {
  const r = Bun.spawnSync([process.execPath, MAIN, ...args], { cwd: repo, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: repo, ...(ON_POSTGRES ? { SCRUM_KB: kb } : {}), ...env }, timeout: 30_000 });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}
/** The KB's bytes: the file, or under SCRUM_TEST_KB_ENGINE=postgres every row of its tables. */
const digest = () => createHash("sha256").update(ON_POSTGRES ? kbText({ kb }) : readFileSync(kb)).digest("hex");

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "scrum-bad-input-"));
  mkdirSync(join(repo, ".git"));
  mkdirSync(join(repo, "src"));
  mkdirSync(join(repo, "folder"));
  writeFileSync(join(repo, "src", "a.ts"), "export const a = 1; // TODO\n");
  Bun.spawnSync(["mkfifo", join(repo, "fifo")]);
  writeFileSync(join(repo, "fifo.toml"), `[prompts]\nproposal = "fifo"\n\n[[ladder]]\nname = "static"\nprovider = "static"\n`);
  kb = ON_POSTGRES ? rootKbEnv(repo) : join(repo, ".scrum", "scrum.db");
  expect(scrum(["run", "--offline", "src"]).code).toBe(0);
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("bad paths are exit 2 with a message, and the KB is untouched", () => {
  // The cases marked FILE name the KB's file (.scrum/scrum.db and its WAL); a PostgreSQL KB has none to collide with.
  const FILE = "(the KB file)";
  const cases: Array<[string, string[], RegExp, Record<string, string>?]> = [
    [`dashboard --out the KB ${FILE}`, ["dashboard", "--out", ".scrum/scrum.db"], /--out .*scrum\.db is the knowledge base; writing there would destroy it/],
    [`report --out the KB ${FILE}`, ["report", "--out", ".scrum/scrum.db"], /is the knowledge base; writing there would destroy it/],
    [`report --out the KB's WAL ${FILE}`, ["report", "--out", ".scrum/scrum.db-wal"], /is the knowledge base \(its wal file\)/],
    [`run --events into the KB ${FILE}`, ["run", "--offline", "--events", ".scrum/scrum.db", "src"], /--events .* is the knowledge base/],
    ["--out a directory", ["report", "--out", "folder"], /--out .*folder is a directory; give a file name/],
    ["--kb a directory", ["--kb", "folder", "history"], /the knowledge base .*folder \(--kb\) is a directory/],
    ["$SCRUM_KB a directory", ["history"], /the knowledge base .*folder \(\$SCRUM_KB\) is a directory/, { SCRUM_KB: "folder" }],
    ["--kb ''", ["--kb", "", "history"], /--kb needs a file name/],
    ["--config a directory", ["--config", "folder", "config", "check"], /the config .*folder \(--config\) is a directory/],
    ["--config a FIFO", ["--config", "fifo", "config", "check"], /the config .*fifo \(--config\) is a FIFO/],
    ["a missing bench --labels file", ["bench", "--offline", "--labels", "nope.jsonl", "src"], /--labels .*nope\.jsonl does not exist/],
    ["a proposal that is a FIFO, on run", ["--config", "fifo.toml", "run", "--offline", "src"], /fifo\.toml:2: \[prompts\] proposal = "fifo": .* is a FIFO/],
    ["the same, on config check", ["--config", "fifo.toml", "config", "check"], /fifo\.toml:2: \[prompts\] proposal = "fifo": .* is a FIFO/],
    [`--kb the KB's WAL (would make a database of the log) ${FILE}`, ["--kb", ".scrum/scrum.db-wal", "note", "list"], /is the wal file of .*scrum\.db; give the KB file itself/],
  ];
  for (const [what, args, message, env] of cases) {
    test.skipIf(ON_POSTGRES && what.endsWith(FILE))(what, () => {
      const before = digest();
      const r = scrum(args, env);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/^\s+at /m);
      expect(r.code).toBe(2);
      expect(digest()).toBe(before);
    });
  }

  test("a refused `note resolve` creates no KB", () => {
    const r = scrum(["--kb", "fresh.db", "note", "resolve", "x"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/usage: scrum note resolve ID/);
    expect(existsSync(join(repo, "fresh.db"))).toBe(false);
  });
});
