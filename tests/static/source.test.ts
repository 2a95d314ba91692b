import { describe, expect, test } from "bun:test";
import { expandUseTree } from "../../pipeline/static/imports";
import { isTestDataPath, isTestPath, testLines, viewLines } from "../../pipeline/static/source";

describe("line views: code, comments and strings told apart", () => {
  // In `code`, "·" marks a blanked character (comment text, string or regex contents).
  const cases: Array<[string, string, { code: string; comment: string; strings: string[] }]> = [
    ["typescript", 'const u = "http://x//y"; // TODO', { code: 'const u = "···········"; ·······', comment: "// TODO", strings: ["http://x//y"] }],
    ["typescript", "const re = /[\"'`]\\//g; x = a / b;", { code: "const re = /·······/g; x = a / b;", comment: "", strings: [] }],
    ["rust", "fn f<'a>(c: char) -> bool { c == '{' } // x", { code: "fn f<'a>(c: char) -> bool { c == '·' } ····", comment: "// x", strings: [] }],
    ["python", "s = 'a # b'  # real", { code: "s = '·····'  ······", comment: "# real", strings: ["a # b"] }],
    ["go", "x := `raw // not a comment`", { code: "x := `····················`", comment: "", strings: ["raw // not a comment"] }],
    ["bash", "echo $# # count", { code: "echo $# ·······", comment: "# count", strings: [] }],
  ];
  for (const [language, line, want] of cases) {
    test(`${language}: ${line}`, () => {
      const [v] = viewLines([line], language);
      expect({ code: v!.code, comment: v!.comment, strings: v!.strings }).toEqual({ ...want, code: want.code.replaceAll("·", " ") });
      expect(v!.code.length).toBe(line.length);
    });
  }

  test("block comments, template literals and triple-quoted strings carry over lines", () => {
    const ts = viewLines(["a(); /* one", "TODO */ b();", "const t = `x", "y ${z}`;"], "typescript");
    expect(ts.map((v) => v.comment)).toEqual(["/* one", "TODO */", "", ""]);
    expect(ts[1]!.code.trim()).toBe("b();");
    expect(ts.map((v) => v.strings)).toEqual([[], [], ["x"], ["y ${z}"]]);
    const py = viewLines(['"""Doc', "# not a comment", '"""', "x = 1  # yes"], "python");
    expect(py.map((v) => v.comment)).toEqual(["", "", "", "# yes"]);
  });

  test("Rust test items are test lines up to their closing brace", () => {
    const lines = ["fn real() {}", "#[cfg(test)]", "mod tests {", "    fn t() {", "    }", "}", "fn after() {}"];
    expect(testLines(viewLines(lines, "rust"), "src/lib.rs", "rust")).toEqual([false, true, true, true, true, true, false]);
  });
});

describe("test code by path", () => {
  const cases: Array<[string, boolean]> = [
    ["tests/api.ts", true],
    ["src/__tests__/api.ts", true],
    ["src/api.test.ts", true],
    ["src/api.spec.js", true],
    ["pkg/store/store_test.go", true],
    ["app/test_views.py", true],
    ["app/conftest.py", true],
    ["testdata/sample.json", true],
    ["rig-core/src/providers/tests.rs", true],
    ["core/llm/llms/Llamafile.vitest.ts", true],
    ["src/contests.rs", false],
    ["src/api.ts", false],
    ["src/testing_utils.py", false],
    ["src/contest.rs", false],
    ["latest/main.go", false],
  ];
  for (const [path, isTest] of cases) test(`${path} → ${isTest}`, () => expect(isTestPath(path)).toBe(isTest));
});

describe("test input by path", () => {
  const cases: Array<[string, boolean]> = [
    ["tests/data/cases/comments.py", true],
    ["test/data/input.js", true],
    ["pkg/parser/testdata/broken.go", true],
    ["test/fixtures/app/index.js", true],
    ["src/__fixtures__/payload.ts", true],
    ["tests/test_data/sample.py", true],
    ["tests/test_comments.py", false],
    ["src/data/loader.py", false],
    ["data/tests/case.py", false],
    ["src/fixtures.py", false],
  ];
  for (const [path, isData] of cases) test(`${path} → ${isData}`, () => expect(isTestDataPath(path)).toBe(isData));
});

describe("Rust use trees expand to one key per path", () => {
  const cases: Array<[string, string[]]> = [
    ["std::io", ["std::io"]],
    ["std::{io::{self, Read}, fs}", ["std::io", "std::io::Read", "std::fs"]],
    ["crate::config::Config as AppConfig", ["crate::config::Config as AppConfig"]],
    ["std::collections::{ BTreeSet, HashMap, }", ["std::collections::BTreeSet", "std::collections::HashMap"]],
  ];
  for (const [tree, keys] of cases) test(tree, () => expect(expandUseTree(tree, "")).toEqual(keys));
});
