/** The sharding rules of shardFile: whole files, splitting inside, line endings, Unicode, parse errors, fallbacks. */
import { describe, expect, test } from "bun:test";
import type { Node } from "web-tree-sitter";
import { parserFor } from "../../pipeline/shard/grammars";
import { splitLines } from "../../pipeline/shard/lines";
import { outlineFile, symbolAt } from "../../pipeline/shard/outline";
import { languageOf, shardFile } from "../../pipeline/shard/shard";
import { expectValidPlan, functionsOf, linesMatching, readFixture, shardsOver } from "./fixture";

describe("the language of a path", () => {
  test("by extension, case-blind but for C++'s .C and .H", () => {
    expect(["FL/Fl_Window.H", "src/Fl.C", "src/x.h", "src/x.c", "src/X.PY", "src/a.cxx", "README"].map((p) => languageOf(p))).toEqual(["cpp", "cpp", "c", "c", "python", "cpp", "text"]);
  });

  test("a file with no extension by its #! line; an extension always wins", () => {
    const cases: [string, string, string][] = [
      ["bin/tool", "#!/bin/sh\nset -e\n", "bash"],
      ["test/fast/nvm_ls", "#!/usr/bin/env bash\n", "bash"],
      ["bin/serve", "#!/usr/bin/env -S node --enable-source-maps\n", "javascript"],
      ["scripts/fmt", "#! /usr/bin/python3.11 -u\n", "python"],
      ["bin/zshy", "#!/bin/zsh\n", "text"],
      ["LICENSE", "MIT License\n#!/bin/sh\n", "text"],
      ["notes.txt", "#!/bin/sh\n", "text"],
      ["run.py", "#!/bin/sh\n", "python"],
    ];
    for (const [path, text, language] of cases) expect(languageOf(path, text), path).toBe(language);
  });
});

describe("whole files", () => {
  test("a file at or under the threshold is one shard, strategy whole", async () => {
    const text = readFixture("auth.rs");
    const plan = await shardFile("auth.rs", text, { thresholdChars: text.length, maxShardChars: 600 });
    expect(plan.strategy).toBe("whole");
    expect(plan.shards).toHaveLength(1);
    expect(plan.shards[0]).toMatchObject({ lineStart: 1, lineEnd: 110, symbols: [], splitInside: false, preamble: "" });
  });

  test("one character over the threshold and the file is sharded", async () => {
    const text = readFixture("auth.rs");
    const plan = await shardFile("auth.rs", text, { thresholdChars: text.length - 1, maxShardChars: 1500 });
    expect(plan.strategy).toBe("tree-sitter");
    expect(plan.shards.length).toBeGreaterThan(1);
  });

  test("an empty file has no shards", async () => {
    expect(await shardFile("empty.rs", "", { thresholdChars: 10, maxShardChars: 10 })).toEqual({ path: "empty.rs", lines: 0, language: "rust", strategy: "whole", shards: [] });
  });

  test("options must be positive integers", async () => {
    await expect(shardFile("a.rs", "fn a() {}", { thresholdChars: 0, maxShardChars: 10 })).rejects.toThrow("`thresholdChars` to be an integer from 1 and up, got 0");
    await expect(shardFile("a.rs", "fn a() {}", { thresholdChars: 10, maxShardChars: Number.NaN })).rejects.toThrow("`maxShardChars`");
  });
});

describe("a single giant function", () => {
  const file = "apply_command.rs";
  const options = { thresholdChars: 400, maxShardChars: 600 };

  test("is split inside at statement boundaries, and every part says so", async () => {
    const text = readFixture(file);
    const plan = await shardFile(file, text, options);
    expectValidPlan(plan, text, options.maxShardChars);
    expect(plan.shards.length).toBeGreaterThan(4);
    for (const shard of plan.shards) {
      expect(shard.splitInside).toBe(true);
      expect(shard.symbols).toEqual(["fn apply"]);
    }
    // Each cut falls where a statement, match arm or closing brace starts: never inside one.
    const starts = await statementStarts(file, text);
    const lines = splitLines(text);
    for (const shard of plan.shards.slice(1)) {
      const first = lines[shard.lineStart - 1] as string;
      expect({ line: shard.lineStart, text: first, ok: starts.has(shard.lineStart) || /^\s*}/.test(first) }).toMatchObject({ ok: true });
    }
  });

  test("parts after the first carry the function's header line", async () => {
    const text = readFixture(file);
    const plan = await shardFile(file, text, options);
    const [fnLine] = linesMatching(text, /^pub fn apply\(/);
    for (const shard of plan.shards.filter((s) => s.lineStart > (fnLine as number))) {
      expect(shard.preamble).toContain(`// line ${fnLine}: pub fn apply(cmd: Command, state: &mut State) -> Result<Outcome, ApplyError> {`);
      expect(shard.preamble).toContain("use crate::state::{Account, State};");
    }
  });

  test("functions that fit are not marked as split", async () => {
    const text = readFixture("auth.rs");
    const plan = await shardFile("auth.rs", text, { thresholdChars: 400, maxShardChars: 700 });
    expect(plan.shards.every((s) => !s.splitInside)).toBe(true);
  });
});

/** Lines where a statement, match arm or item starts, found with tree-sitter. */
async function statementStarts(file: string, text: string): Promise<Set<number>> {
  const parser = await parserFor(languageOf(file));
  const tree = parser.parse(text);
  if (tree === null) throw new Error("no tree");
  const starts = new Set<number>();
  const visit = (node: Node) => {
    const parent = node.parent?.type ?? "";
    if (["block", "match_block", "source_file", "declaration_list"].includes(parent)) starts.add(node.startPosition.row + 1);
    for (const child of node.namedChildren) if (child !== null) visit(child);
  };
  visit(tree.rootNode);
  tree.delete();
  return starts;
}

describe("line endings and Unicode", () => {
  test("CRLF files shard exactly like LF files, and shard text carries no \\r", async () => {
    const lf = readFixture("auth.rs");
    const crlf = lf.replace(/\n/g, "\r\n");
    const options = { thresholdChars: 400, maxShardChars: 700 };
    const a = await shardFile("auth.rs", lf, options);
    const b = await shardFile("auth.rs", crlf, options);
    expect(b.lines).toBe(a.lines);
    expect(b.shards.map((s) => [s.lineStart, s.lineEnd, s.symbols, s.text])).toEqual(a.shards.map((s) => [s.lineStart, s.lineEnd, s.symbols, s.text]));
    expect(b.shards.some((s) => s.text.includes("\r") || s.preamble.includes("\r"))).toBe(false);
    expect(b.strategy).toBe("tree-sitter");
  });

  test("emoji and CJK before functions do not shift their line ranges", async () => {
    const file = "i18n_messages.ts";
    const text = readFixture(file);
    const options = { thresholdChars: 300, maxShardChars: 500 };
    const plan = await shardFile(file, text, options);
    expectValidPlan(plan, text, options.maxShardChars);
    const lines = splitLines(text);
    for (const name of ["greet", "plural", "displayWidth", "truncate"]) {
      const [line] = linesMatching(text, new RegExp(`^export function ${name}\\(`));
      const [shard, ...more] = shardsOver(plan, line as number, line as number);
      expect(more).toHaveLength(0);
      expect(shard?.symbols).toContain(`function ${name}`);
      expect(shard?.text.split("\n")[(line as number) - (shard?.lineStart as number)]).toBe(lines[(line as number) - 1]);
    }
    for (const fn of await functionsOf(file, text)) expect(shardsOver(plan, fn.start, fn.end)).toHaveLength(1);
  });
});

describe("parse errors", () => {
  test("a local syntax error keeps tree-sitter sharding, and the functions around it stay whole", async () => {
    const file = "half_edited.ts";
    const text = readFixture(file);
    const options = { thresholdChars: 400, maxShardChars: 600 };
    const plan = await shardFile(file, text, options);
    expectValidPlan(plan, text, options.maxShardChars);
    expect(plan.strategy).toBe("tree-sitter");
    for (const name of ["loadFeatures", "toFeature", "hash", "summarize", "diffFeatures"]) {
      const [start] = linesMatching(text, new RegExp(`function ${name}\\(`));
      const [end] = linesMatching(text, /^}$/).filter((n) => n > (start as number));
      expect(shardsOver(plan, start as number, end as number)).toHaveLength(1);
    }
  });

  test("a file the grammar cannot parse falls back to blank-line blocks", async () => {
    const file = "cookiecutter_settings.py"; // a Jinja template with a .py name
    const text = readFixture(file);
    const options = { thresholdChars: 400, maxShardChars: 600 };
    const plan = await shardFile(file, text, options);
    expectValidPlan(plan, text, options.maxShardChars);
    expect(plan.strategy).toBe("blank-lines");
    const lines = splitLines(text);
    for (const shard of plan.shards.slice(1)) {
      expect(lines[shard.lineStart - 2]?.trim()).toBe("");
      expect(lines[shard.lineStart - 1]?.trim()).not.toBe("");
    }
  });
});

describe("files with no items", () => {
  test("a file of only comments is cut at lines within the limit and marks nothing as split", async () => {
    const file = "design_notes.rs";
    const text = readFixture(file);
    const options = { thresholdChars: 300, maxShardChars: 500 };
    const plan = await shardFile(file, text, options);
    expectValidPlan(plan, text, options.maxShardChars);
    expect(plan.strategy).toBe("tree-sitter");
    expect(plan.shards.length).toBeGreaterThanOrEqual(3);
    expect(plan.shards.every((s) => s.chars <= options.maxShardChars && !s.splitInside)).toBe(true);
  });

  test("plain text is cut at blank lines", async () => {
    const text = readFixture("RELEASE_NOTES.txt");
    const plan = await shardFile("RELEASE_NOTES.txt", text, { thresholdChars: 300, maxShardChars: 400 });
    expectValidPlan(plan, text, 400);
    expect(plan).toMatchObject({ language: "text", strategy: "blank-lines" });
    const lines = splitLines(text);
    for (const shard of plan.shards.slice(1)) expect(lines[shard.lineStart - 2]).toBe("");
  });

  test("text without blank lines is cut into line blocks", async () => {
    const text = readFixture("access.log");
    const plan = await shardFile("access.log", text, { thresholdChars: 300, maxShardChars: 300 });
    expectValidPlan(plan, text, 300);
    expect(plan.strategy).toBe("lines");
    expect(plan.shards.length).toBeGreaterThanOrEqual(3);
  });

  test("a single line longer than the limit is a shard of its own, never cut", async () => {
    const long = `const table = [${Array.from({ length: 400 }, (_, i) => i).join(", ")}];`;
    const text = `import { x } from "y";\n\n${long}\n\nexport function f() {\n  return x;\n}\n`;
    const plan = await shardFile("table.ts", text, { thresholdChars: 100, maxShardChars: 200 });
    expectValidPlan(plan, text, 200);
    expect(plan.shards.find((s) => s.text.includes("const table"))?.text.trim()).toBe(long);
  });
});

describe("the outline from the sharder's parse", () => {
  const files = ["InventoryService.java", "OrderProcessor.cs", "UserController.php", "apply_command.rs", "billing.py", "dashboard.ts", "half_edited.ts", "invoice.rb", "matrix.cpp", "ring_buffer.c", "server.go", "deploy.sh"];

  test.each(files)("%s: the same outline the review would parse the file again for", async (name) => {
    const text = readFixture(name);
    const plan = await shardFile(name, text, { thresholdChars: 400, maxShardChars: 400, outline: true });
    expect(plan.shards.length).toBeGreaterThan(1);
    const outline = await outlineFile(name, text);
    expect(outline.length).toBeGreaterThan(0);
    expect(plan.outline).toEqual(outline);
  });

  test("none unless asked for, and none for a file the sharder did not parse", async () => {
    const text = readFixture("billing.py");
    expect((await shardFile("billing.py", text, { thresholdChars: 400, maxShardChars: 400 })).outline).toBeUndefined();
    expect((await shardFile("billing.py", text, { thresholdChars: text.length, maxShardChars: 400, outline: true })).outline).toBeUndefined();
    expect((await shardFile("guide.md", readFixture("guide.md"), { thresholdChars: 400, maxShardChars: 400, outline: true })).outline).toBeUndefined();
  });
});

describe("what a C, C++ or PHP outline counts as an item", () => {
  test("a macro call with a block inside a function (a foreach macro) is no function of its own; a method of a class is", async () => {
    const c = [
      "static int compare(const item *a, const item *b) {",
      "    const item *element = NULL;",
      "    list_for_each(element, a)",
      "    {",
      "        /* TODO: this is quadratic */",
      "        if (!find(b, element)) return 0;",
      "    }",
      "    return 1;",
      "}",
    ].join("\n");
    const outline = await outlineFile("list.c", c);
    expect(outline).toEqual([{ symbol: "function compare", start: 1, end: 9 }]);
    expect(symbolAt(outline, 5)).toBe("function compare");

    const cpp = ["class Counter {", " public:", "  int next() {", "    return ++value;", "  }", "  int value = 0;", "};"].join("\n");
    expect((await outlineFile("counter.cpp", cpp)).map((i) => i.symbol)).toEqual(["class Counter", "function next"]);
  });

  test("a struct, union or enum used as a type (`struct tm *out`) is no item; one defined with a body is", async () => {
    const c = ["struct tm *to_utc(const time_t *t, struct tm *out);", "", "static int days(struct tm *when) {", "    struct tm copy = *when;", "    return copy.tm_yday; /* TODO: leap seconds */", "}", "struct point { int x; int y; };", "typedef struct node { struct node *next; } node_t;", "enum color { RED };", "void paint(enum color c);"].join("\n");
    for (const name of ["time.c", "time.cpp"]) {
      const outline = await outlineFile(name, c);
      expect(outline.map((i) => [i.symbol, i.start])).toEqual([["function days", 3], ["struct point", 7], ["struct node", 8], ["enum color", 9]]);
      expect(symbolAt(outline, 4)).toBe("function days");
    }
  });

  test("a C++ item whose name the grammar did not find is no item: an anonymous union, a class behind an export macro", async () => {
    const cpp = [
      "namespace testing {",
      "class basic_arg {",
      "  union {",
      "    int* int_value_;",
      "    // TODO: more types",
      "  };",
      "};",
      "class GTEST_API_ TestResult {",
      " public:",
      "  // FIXME: validate names",
      "  bool Validate();",
      "};",
      "}",
    ].join("\n");
    const outline = await outlineFile("scan.h", cpp);
    expect(outline.map((i) => i.symbol)).toEqual(["namespace testing", "class basic_arg"]);
    expect(symbolAt(outline, 5)).toBe("class basic_arg");
    expect(symbolAt(outline, 10)).toBe("namespace testing");
  });

  test("PHP may define a function inside a function: there it stays an item", async () => {
    const php = ["<?php", "function outer() {", "  function inner() {", "    return 1;", "  }", "  return inner();", "}"].join("\n");
    expect((await outlineFile("nested.php", php)).map((i) => i.symbol)).toEqual(["function outer", "function inner"]);
  });
});
