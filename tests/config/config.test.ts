import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { defaultConfig, loadConfig, resolveApiKeys } from "../../pipeline/config/config";
import { ConfigError } from "../../domain/errors";
import { knownExtensions } from "../../pipeline/shard/shard";

const fixture = (name: string) => resolve(import.meta.dir, "../fixtures/config", name);

function errorOf(name: string): ConfigError {
  try {
    loadConfig(fixture(name));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error(`${name} loaded without error`);
}

describe("loadConfig errors name the file, the line and the key", () => {
  const cases: Array<[string, RegExp]> = [
    ["bad-syntax.toml", /bad-syntax\.toml:\d+:\d+: TOML syntax error/],
    ["unknown-key.toml", /unknown-key\.toml:8: unknown key "timeout_secs" in ladder\[0\]/],
    ["bad-provider.toml", /bad-provider\.toml:7: ladder\[1\]\.provider must be one of: "ollama", "openai", "static"/],
    ["no-ladder.toml", /no-ladder\.toml:1: .*missing the required key "ladder"/],
    ["wrong-type.toml", /wrong-type\.toml:2: sweep\.max_shard_chars must be integer/],
    ["duplicate-rung.toml", /duplicate-rung\.toml:6: rung name "a" is used twice/],
    ["reduce-unknown.toml", /reduce-unknown\.toml:6: \[reduce\] rung = "cloud" names no rung; expected one of: a/],
    ["verify-unknown.toml", /verify-unknown\.toml:7: \[verify\] rung = "b" names no rung; expected one of: a/],
    ["verify-static.toml", /verify-static\.toml:6: \[verify\] rung = "static" is the static rung, which cannot judge a claim/],
    ["missing-prompt.toml", /missing-prompt\.toml:6: \[prompts\] proposal = "docs\/NOPE.md" does not exist/],
    ["static-unknown-rule.toml", /static-unknown-rule\.toml:6: \[static\] raise names no rule "todo-comments"; expected some of: stub-macro, .*, prompt-injection/],
  ];
  for (const [file, pattern] of cases) {
    test(file, () => expect(errorOf(file).message).toMatch(pattern));
  }

  test("a missing file says how to create one", () => {
    expect(() => loadConfig(fixture("nope.toml"))).toThrow(/config file not found/);
  });
});

describe("structured: the request shape", () => {
  test("default auto; the old boolean still reads (true → auto, false → none); a shape and system_role as given", () => {
    const shapes = loadConfig(fixture("shapes.toml")).ladder.map((r) => [r.name, r.shape, r.structured, r.systemRole]);
    expect(shapes).toEqual([
      ["default", "auto", true, undefined],
      ["old-true", "auto", true, undefined],
      ["old-false", "none", false, undefined],
      ["llama", "json_object", true, false],
    ]);
  });

  test("an unknown shape names the key and the choices", () => {
    expect(errorOf("bad-shape.toml").message).toMatch(/bad-shape\.toml:6: ladder\[0\]\.structured must be one of: "auto", "json_schema", "json_object", "none"/);
  });
});

describe("loadConfig fills defaults and resolves paths", () => {
  const config = loadConfig(fixture("fleet.toml"));

  test("fleet hosts, timeouts and prices", () => {
    const [fleet, cloud] = config.ladder;
    expect(fleet?.servers).toEqual(["http://10.0.0.1:11434", "http://10.0.0.2:11434"]);
    expect(fleet?.timeoutMs).toBe(2500);
    expect(fleet?.retries).toBe(2);
    expect(cloud?.servers).toEqual(["https://example.invalid/v1"]);
    expect(cloud?.costOutPerMtok).toBe(0.6);
  });

  test("relative prompt paths resolve against the config file's folder; unset ones use the shipped prompts", () => {
    expect(config.prompts.system).toBe(fixture("prompt.md"));
    expect(config.prompts.reduce).toMatch(/prompts\/reduce\.md$/);
  });

  test("defaults for sections the file leaves out", () => {
    expect(config.sweep.shardThresholdChars).toBe(6000);
    expect(config.accept.minChars).toBe(200);
    expect(config.gradient).toEqual({ blockBelow: 40, reviewBelow: 70 });
  });

  test("an unset API key variable is a config error naming the rung and the variable", () => {
    expect(() => resolveApiKeys(config, {})).toThrow(/rung "cloud" reads its API key from \$SCRUM_TEST_KEY, which is unset/);
    expect(resolveApiKeys(config, { SCRUM_TEST_KEY: "sk-1" }).get("cloud")).toBe("sk-1");
  });

  test("the shipped config/routing.toml is valid", () => {
    const shipped = loadConfig(resolve(import.meta.dir, "../../config/routing.toml"));
    expect(shipped.ladder.map((r) => r.provider)).toContain("ollama");
  });

  test("the shipped config (what `scrum init` writes) sweeps the same files as the defaults", () => {
    // It listed the languages of its day and missed the ones added since (Java, C, C++, C#, Ruby, PHP, shell).
    const shipped = loadConfig(resolve(import.meta.dir, "../../config/routing.toml"));
    expect(shipped.sweep.include).toEqual(defaultConfig().sweep.include);
    expect(shipped.sweep.exclude).toEqual(defaultConfig().sweep.exclude);
  });

  test("the default include picks every language the sharder knows, Python stubs aside", () => {
    // .cxx, .hh, .bash and .markdown were sharded when named but never swept: a C++ tree of .cxx/.hh went unreviewed.
    const globs = defaultConfig().sweep.include.map((g) => new Bun.Glob(g));
    const missed = knownExtensions().filter((ext) => !globs.some((g) => g.match(`src/deep/file${ext}`)));
    expect(missed).toEqual([".pyi"]);
  });
});

describe("[static] raise", () => {
  test("names the rules promoted past their earned severity; absent, none is", () => {
    expect(loadConfig(resolve(import.meta.dir, "../../examples/demo-repo/.scrum/routing.toml")).static.raise).toEqual([
      "stub-macro", "stub-raise", "stub-throw", "duplicate-import-redeclared",
    ]);
    expect(loadConfig(resolve(import.meta.dir, "../../config/routing.toml")).static.raise).toEqual([]);
  });

  test("prompt-injection may be raised too; by default its findings are informational", () => {
    const dir = mkdtempSync(join(tmpdir(), "scrum-raise-"));
    try {
      const path = join(dir, "routing.toml");
      writeFileSync(path, '[[ladder]]\nname = "static"\nprovider = "static"\n\n[static]\nraise = ["prompt-injection", "todo-comment"]\n');
      expect(loadConfig(path).static).toEqual({ raise: ["todo-comment"], raiseInjection: true });
      expect(loadConfig(resolve(import.meta.dir, "../../config/routing.toml")).static.raiseInjection).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
