/** Grammars are loaded once per process and every tree is freed. */
import { describe, expect, spyOn, test } from "bun:test";
import type { Tree } from "web-tree-sitter";
import { hasGrammar, parserFor, withSharedTree, withTree } from "../../pipeline/shard/grammars";

describe("grammars", () => {
  test("each grammar is loaded once: later calls get the same parser", async () => {
    const first = await parserFor("rust");
    expect(await parserFor("rust")).toBe(first);
    // C has no grammar of its own in @vscode/tree-sitter-wasm; it shares the C++ one.
    expect(await parserFor("c")).toBe(await parserFor("cpp"));
  });

  test("every shipped language with a grammar parses", async () => {
    const samples: Record<string, string> = {
      typescript: "const a: number = 1;", tsx: "const a = <b />;", javascript: "let a = 1;", rust: "fn a() {}",
      python: "def a(): pass", go: "package a", java: "class A {}", csharp: "class A {}", cpp: "int a() { return 1; }",
      ruby: "def a; end", php: "<?php function a() {}", bash: "a() { :; }",
    };
    for (const [language, source] of Object.entries(samples)) {
      expect(hasGrammar(language)).toBe(true);
      const errors = await withTree(language, source, (tree) => tree.rootNode.hasError);
      expect({ language, errors }).toEqual({ language, errors: false });
    }
    expect(hasGrammar("markdown")).toBe(false);
  });

  test("an unknown language is an error that lists the known ones", () => {
    expect(() => parserFor("cobol")).toThrow('no tree-sitter grammar for language "cobol"; expected one of: typescript, tsx');
  });

  test("the tree is deleted after use, also when use throws", async () => {
    let deleted = 0;
    const spy = (tree: { delete: () => void }) => {
      const original = tree.delete.bind(tree);
      spyOn(tree, "delete").mockImplementation(() => {
        deleted++;
        original();
      });
    };
    await withTree("rust", "fn a() {}", (tree) => spy(tree));
    expect(deleted).toBe(1);
    await expect(withTree("rust", "fn a() {}", (tree) => {
      spy(tree);
      throw new Error("boom");
    })).rejects.toThrow("boom");
    expect(deleted).toBe(2);
  });

  test("a shared tree is parsed once, only when asked, and deleted after use, also when use throws", async () => {
    const parser = await parserFor("rust");
    const parse = spyOn(parser, "parse");
    let deleted = 0;
    const counted = (tree: Tree): Tree => {
      const original = tree.delete.bind(tree);
      spyOn(tree, "delete").mockImplementation(() => {
        deleted++;
        original();
      });
      return tree;
    };
    try {
      // Two readers, one parse, one delete.
      const kinds = await withSharedTree("rust", "fn a() {}", async (shared) => {
        const first = counted(await shared.tree());
        const second = await shared.tree();
        expect(second).toBe(first);
        return [first, second].map((t) => t.rootNode.type);
      });
      expect(kinds).toEqual(["source_file", "source_file"]);
      expect(parse).toHaveBeenCalledTimes(1);
      expect(deleted).toBe(1);
      // Nobody asks: nothing is parsed.
      expect(await withSharedTree("rust", "fn a() {}", async () => 7)).toBe(7);
      expect(parse).toHaveBeenCalledTimes(1);
      await expect(withSharedTree("rust", "fn a() {}", async (shared) => {
        counted(await shared.tree());
        throw new Error("boom");
      })).rejects.toThrow("boom");
      expect(deleted).toBe(2);
    } finally {
      parse.mockRestore();
    }
  });
});
