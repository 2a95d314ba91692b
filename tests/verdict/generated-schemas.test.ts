import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { GENERATED_SCHEMAS } from "../../pipeline/verdict/generated-schemas";
import { schemaJson } from "../../domain/schema-builders";

const root = resolve(import.meta.dir, "../..");

describe("every committed JSON schema is the one its TypeBox source generates", () => {
  for (const { file, schema } of GENERATED_SCHEMAS) {
    test(`${file} (regenerate with: bun scripts/gen-schemas.ts)`, () => {
      expect(readFileSync(resolve(root, file), "utf8")).toBe(schemaJson(schema));
    });

    test(`${file} compiles under strict Ajv: every $ref resolves, no unknown keyword`, () => {
      expect(() => new Ajv2020({ allErrors: true, strict: true, strictRequired: false, discriminator: true }).compile(JSON.parse(readFileSync(resolve(root, file), "utf8")))).not.toThrow();
    });
  }
});

test("gen-schemas --check passes on the committed files", () => {
  const r = Bun.spawnSync([process.execPath, resolve(root, "scripts/gen-schemas.ts"), "--check"], { stdout: "pipe", stderr: "pipe" });
  expect(r.stderr.toString()).toBe("");
  expect(r.exitCode).toBe(0);
});
