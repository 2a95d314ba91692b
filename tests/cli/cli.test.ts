/** The CLI as a user meets it: real processes of bin/scrum, in a temp git repository, with no global Bun on PATH. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pkg from "../../package.json";
import { ON_POSTGRES, testKb } from "../kb/postgres-server";

const REPO = resolve(import.meta.dir, "../..");
let work: string;
let repo: string;
/** A PATH with the usual system folders and none that holds a global bun. */
const PATH = "/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin";

function scrum(args: string[], options: { cwd?: string; bin?: string; env?: Record<string, string> } = {}) {
  const r = Bun.spawnSync([options.bin ?? join(REPO, "bin/scrum"), ...args], {
    cwd: options.cwd ?? repo,
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH, HOME: work, ...options.env },
  });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "scrum-cli-"));
  repo = join(work, "repo");
  cpSync(join(REPO, "examples/demo-repo"), repo, { recursive: true });
  Bun.spawnSync(["git", "init", "-q", repo]);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("help and version", () => {
  test("--version prints the package version", () => {
    const r = scrum(["--version"]);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(pkg.version);
  });

  test("COMMAND --help and help COMMAND show the command's flags with their defaults", () => {
    for (const args of [["run", "--help"], ["help", "run"]]) {
      const r = scrum(args);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Usage: scrum run \[options\] \[paths\.\.\.\]/);
      expect(r.out).toMatch(/--concurrency <n>\s+calls in flight per server of every model rung\s+\(default: each rung.s concurrency in routing.toml\)/);
      expect(r.out).toMatch(/--fail-on <verdict>.*\(choices: "needs_patch", "fail"\)/s);
      // Global flags are listed in every command's help.
      expect(r.out).toMatch(/--kb <file>/);
    }
  });

  test("bare `scrum` prints usage to stderr and exits 2", () => {
    const r = scrum([]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/Usage: scrum \[options\] \[command\]/);
  });
});

describe("where the KB and config live", () => {
  // About where the default KB file is found; a PostgreSQL KB is only ever named (--kb, $SCRUM_KB), as below.
  test.skipIf(ON_POSTGRES)("a run finds .scrum/scrum.db at the git root; a subdirectory finds the same KB; every command names it", () => {
    const r = scrum(["run", "src", "--offline", "--label", "first"]);
    expect(r.code).toBe(0);
    // The demo carries its own .scrum/routing.toml (it promotes the stub rules with [static] raise).
    expect(r.err).toMatch(/^scrum: kb \.scrum\/scrum\.db, config \.scrum\/routing\.toml$/m);
    expect(existsSync(join(repo, ".scrum/scrum.db"))).toBe(true);
    const sub = scrum(["history", "--json"], { cwd: join(repo, "src") });
    expect(sub.code).toBe(0);
    expect(JSON.parse(sub.out).map((i: { label: string }) => i.label)).toEqual(["first"]);
    expect(sub.err).toMatch(new RegExp(`^scrum: kb ${join(repo, ".scrum/scrum.db")}$`, "m"));
    // A path typed from the subdirectory is the same KB key as from the root.
    const show = scrum(["show", "auth.rs", "--json"], { cwd: join(repo, "src") });
    expect(show.code).toBe(0);
    expect(JSON.parse(show.out)).toMatchObject({ review: { path: "src/auth.rs" }, kb: join(repo, ".scrum/scrum.db") });
  });

  test("global flags work before and after the command", () => {
    const other = testKb(join(work, "other.db"));
    expect(scrum(["--kb", other, "run", "docs", "--offline", "--quiet"]).code).toBe(0);
    const before = JSON.parse(scrum(["--kb", other, "--json", "history"]).out);
    const after = JSON.parse(scrum(["history", "--json", "--kb", other]).out);
    expect(before).toEqual(after);
    expect(before).toHaveLength(1);
  });

  test("scrum init writes .scrum/routing.toml and a .gitignore for the KB; later runs use that config; a second init is refused", () => {
    const fresh = join(work, "fresh");
    mkdirSync(join(fresh, "lib"), { recursive: true });
    Bun.spawnSync(["git", "init", "-q", fresh]);
    writeFileSync(join(fresh, "lib/a.py"), "def f():\n    return 1\n");
    const r = scrum(["init"], { cwd: join(fresh, "lib") });
    expect(r.code).toBe(0);
    expect(readFileSync(join(fresh, ".scrum/routing.toml"), "utf8")).toContain("[[ladder]]");
    expect(readFileSync(join(fresh, ".scrum/.gitignore"), "utf8")).toMatch(/^scrum\.db$/m);
    const run = scrum(["run", "lib", "--offline"], { cwd: fresh });
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/config \.scrum\/routing\.toml$/m);
    const again = scrum(["init"], { cwd: fresh });
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/routing\.toml already exists; edit it, or pass --force/);
  });
});

describe("flags that take an optional ITER", () => {
  test("`--resume 1` means iteration 1 only because the KB has it, whether or not a file named 1 exists", () => {
    const kb = testKb(join(work, "resume.db"));
    expect(scrum(["run", "src", "--offline", "--quiet", "--kb", kb]).code).toBe(0);
    writeFileSync(join(repo, "1"), "a file named like the iteration\n");
    writeFileSync(join(repo, "7"), "a file named like no iteration\n");
    const bound = scrum(["run", "--resume", "1", "--kb", kb]);
    // 1 was taken as the ITER: the run talks about iteration 1, not about a path.
    expect(bound.code).toBe(2);
    expect(bound.err).toMatch(/iteration 1 is done; only an aborted or stale iteration can be resumed/);
    const word = scrum(["run", "--resume", "7", "--kb", kb]);
    expect(word.code).toBe(2);
    expect(word.err).toMatch(/give no paths, --from-flagged or --changed with it/);
    const explicit = scrum(["run", "--resume=7", "--kb", kb]);
    expect(explicit.code).toBe(2);
    expect(explicit.err).toMatch(/no iteration with id 7/);
  });
});

describe("--json is honoured or refused", () => {
  test("flagged --format paths --json is refused with exit 2; note resolve --json prints JSON", () => {
    const kb = testKb(join(work, "json.db"));
    expect(scrum(["run", "src", "--offline", "--quiet", "--kb", kb]).code).toBe(0);
    const both = scrum(["flagged", "--format", "paths", "--json", "--kb", kb]);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--json and --format paths ask for two outputs/);
    const added = JSON.parse(scrum(["note", "add", "src/auth.rs", "check", "the", "journal", "--json", "--kb", kb]).out);
    const resolved = scrum(["note", "resolve", String(added.id), "--json", "--kb", kb]);
    expect(resolved.code).toBe(0);
    expect(JSON.parse(resolved.out)).toMatchObject({ id: added.id, status: "resolved", kb });
  });
});

describe("scrum bench through the CLI", () => {
  test("bench --offline plants into a scratch copy, prints JSON, and leaves the tree as it was", () => {
    const before = Bun.spawnSync(["git", "status", "--porcelain", "src"], { cwd: repo }).stdout.toString();
    const r = scrum(["bench", "src", "--offline", "--plants", "4", "--json", "--kb", testKb(join(work, "bench.db"))]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toBeTruthy();
    expect(Bun.spawnSync(["git", "status", "--porcelain", "src"], { cwd: repo }).stdout.toString()).toBe(before);
  });
});

describe("installed as a link", () => {
  test("a symlink to bin/scrum on PATH runs with no global Bun (npm link, global installs)", () => {
    const bin = join(work, "global-bin");
    mkdirSync(bin, { recursive: true });
    symlinkSync(join(REPO, "bin/scrum"), join(bin, "scrum"));
    const r = scrum(["--version"], { bin: "scrum", env: { PATH: `${bin}:${PATH}` } });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(pkg.version);
  });
});
