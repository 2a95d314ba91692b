/**
 * Write the JSON Schema files from their TypeBox sources (the single source of truth); `--check` writes nothing and
 * exits 1 naming every file that differs. The tests run the same comparison.
 *
 *   bun scripts/gen-schemas.ts [--check]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { GENERATED_SCHEMAS } from "../pipeline/verdict/generated-schemas";
import { schemaJson } from "../domain/schema-builders";

const { values } = parseArgs({ options: { check: { type: "boolean", default: false } } });
const root = resolve(import.meta.dir, "..");
const stale: string[] = [];
for (const { file, schema } of GENERATED_SCHEMAS) {
  const path = resolve(root, file);
  const text = schemaJson(schema);
  if (readFileSync(path, "utf8") === text) continue;
  stale.push(file);
  if (!values.check) writeFileSync(path, text);
}
if (values.check && stale.length > 0) {
  console.error(`out of date (run bun scripts/gen-schemas.ts): ${stale.join(", ")}`);
  process.exit(1);
}
console.log(stale.length === 0 ? "schemas up to date" : `wrote ${stale.join(", ")}`);
