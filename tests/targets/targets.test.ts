import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../../pipeline/config/config";
import { UsageError } from "../../domain/errors";
import { collectTargets, readTarget, type Target } from "../../pipeline/targets/targets";

let root: string;
const sweep = { ...defaultConfig().sweep, maxFileBytes: 2000 };

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "scrum-targets-"));
  const write = (rel: string, content: string | Uint8Array) => {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), content);
  };
  mkdirSync(join(root, ".git"));
  write(".gitignore", "generated/\n*.log\n");
  write("src/app.ts", "export const a = 1;\n");
  write("src/lib.rs", "pub fn f() {}\n");
  write("src/notes.log", "ignored by gitignore\n");
  write("generated/out.ts", "export const g = 1;\n");
  write("node_modules/dep/index.js", "module.exports = 1;\n");
  write("src/image.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]));
  write("src/data.ts", new Uint8Array([0x00, 0x01, 0x02, 0x41]));
  write("src/empty.ts", "");
  write("src/blank.py", "  \n\n");
  write("src/latin1.py", new Uint8Array([0x23, 0x20, 0xe9, 0x74, 0xe9, 0x0a]));
  write("src/big.go", "package main\n" + "// filler line of text\n".repeat(200));
  write("src/nested/.gitignore", "secret.ts\n");
  write("src/nested/secret.ts", "export const s = 1;\n");
  write("src/nested/open.ts", "export const o = 1;\n");
  write("docs/README.md", "# docs\n");
  write("bin/deploy", "#!/usr/bin/env bash\necho deploy\n");
  write("bin/LICENSE", "MIT\n");
  write("bin/helper", "#!/usr/bin/env zsh\necho z\n");
  write("node_modules/.bin/tool", "#!/usr/bin/env node\n");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rel = (files: string[]) => files.map((f) => f.slice(root.length + 1));

describe("collectTargets", () => {
  test("walks directories with include/exclude and every .gitignore on the way", () => {
    const files = rel(collectTargets(["."], { cwd: root, sweep }));
    expect(files).toContain("src/app.ts");
    expect(files).toContain("src/lib.rs");
    expect(files).toContain("src/nested/open.ts");
    expect(files).toContain("docs/README.md");
    expect(files).not.toContain("src/nested/secret.ts"); // nested .gitignore
    expect(files).not.toContain("generated/out.ts"); // root .gitignore
    expect(files).not.toContain("src/notes.log"); // not included and ignored
    expect(files).not.toContain("node_modules/dep/index.js"); // excluded
    expect(files).not.toContain("src/image.png"); // not in include
  });

  test("a file with no extension is swept when its #! line names a language the sharder knows, unless excluded", () => {
    const files = rel(collectTargets(["."], { cwd: root, sweep }));
    expect(files).toContain("bin/deploy");
    expect(files).not.toContain("bin/LICENSE"); // no #! line
    expect(files).not.toContain("bin/helper"); // zsh: no grammar
    expect(files).not.toContain("node_modules/.bin/tool"); // excluded
  });

  test("such a script is judged by include and exclude as if it had its language's extension", () => {
    const only = (include: string[], exclude: string[] = []) => rel(collectTargets(["."], { cwd: root, sweep: { ...sweep, include, exclude } }));
    expect(only(["src/**/*.ts"])).not.toContain("bin/deploy"); // a narrowed include keeps it out
    expect(only(["src/**/*.ts", "**/*.py"])).not.toContain("bin/deploy"); // bash, not Python
    expect(only(["bin/*.sh"])).toContain("bin/deploy");
    expect(only(["src/**/*.ts", "**/*.sh"], ["**/*.sh"])).not.toContain("bin/deploy"); // excluded as a .sh
  });

  test("globs expand relative to the working directory", () => {
    expect(rel(collectTargets(["src/*.rs"], { cwd: root, sweep }))).toEqual(["src/lib.rs"]);
  });

  test("a file named explicitly is taken even if include would not pick it", () => {
    expect(rel(collectTargets(["src/notes.log"], { cwd: root, sweep }))).toEqual(["src/notes.log"]);
  });

  test("respect_gitignore = false takes ignored files", () => {
    const files = rel(collectTargets(["."], { cwd: root, sweep: { ...sweep, respectGitignore: false } }));
    expect(files).toContain("generated/out.ts");
  });

  test("a directory that leaves nothing to review is a usage error that says why", () => {
    expect(() => collectTargets(["generated"], { cwd: root, sweep })).toThrow(/no file to review in "generated": .*\.gitignore.*respect_gitignore = false/);
  });

  test("a missing path or an empty glob is a usage error naming it", () => {
    expect(() => collectTargets(["nope/"], { cwd: root, sweep })).toThrow(UsageError);
    expect(() => collectTargets(["nope/"], { cwd: root, sweep })).toThrow(/target "nope\/" does not exist/);
    expect(() => collectTargets(["src/*.zig"], { cwd: root, sweep })).toThrow(/the glob "src\/\*\.zig" matches no file/);
  });
});

describe("readTarget records why a file is skipped", () => {
  const reason = (t: Target) => (t.kind === "skipped" ? t.reason : `read (${t.kind})`);
  const cases: Array<[string, RegExp]> = [
    ["src/data.ts", /^binary file/],
    ["src/empty.ts", /^empty file \(0 bytes\)/],
    ["src/blank.py", /^empty file \(whitespace only\)/],
    ["src/latin1.py", /^not valid UTF-8 \(first bad byte near offset 2\)/],
    ["src/big.go", /^too large: \d+ bytes > max_file_bytes 2000/],
    ["src/app.ts", /^read \(source\)$/],
    // Deleted between planning and reading (the fuzz found a sweep of `../` failing whole on one such file).
    ["src/deleted-since.ts", /^gone: deleted after the sweep was planned/],
    ["src", /^not a regular file/],
  ];
  for (const [file, pattern] of cases) {
    test(file, () => expect(reason(readTarget(join(root, file), root, sweep.maxFileBytes))).toMatch(pattern));
  }

  test("a readable file carries its text, sha and KB path", () => {
    const t = readTarget(join(root, "src/app.ts"), root, sweep.maxFileBytes);
    if (t.kind !== "source") throw new Error("expected a source file");
    expect(t.path).toBe("src/app.ts");
    expect(t.text).toBe("export const a = 1;\n");
    expect(t.sha).toMatch(/^[0-9a-f]{64}$/);
  });
});
