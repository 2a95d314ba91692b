import { describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { placeholderFor, redactRequest, redactSecrets } from "../../pipeline/review/redact";
import { numberLines } from "../../pipeline/review/prompt";

const REPO = resolve(import.meta.dir, "../..");
const SECRETS = join(REPO, "tests/fixtures/trust/secrets");
const CLEAN = join(REPO, "tests/fixtures/trust/secrets-clean");

interface Planted {
  kind: string;
  file: string;
  value: string;
}
const planted = JSON.parse(readFileSync(join(SECRETS, "planted.json"), "utf8")) as Planted[];
const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");

describe("every planted secret is gone from the text a cloud rung gets", () => {
  for (const p of planted) {
    test(`${p.kind} (${p.file})`, async () => {
      const text = read(SECRETS, p.file);
      expect(text).toContain(p.value);
      // Raw file text (the system prompt's proposal) and the numbered shard of a review prompt.
      for (const form of [text, numberLines(text, 1)]) {
        const out = await redactSecrets(form);
        expect(out.text).not.toContain(p.value);
        expect(out.text).toMatch(/<REDACTED:[0-9a-f]{8}>/);
      }
    });
  }
});

describe("a redacted file keeps its lines: every line without a secret arrives unchanged", () => {
  const files = [...new Set(planted.map((p) => p.file))];
  for (const file of files) {
    test(file, async () => {
      const text = numberLines(read(SECRETS, file), 1);
      const out = await redactSecrets(text);
      const before = text.split("\n");
      const after = out.text.split("\n");
      expect(after).toHaveLength(before.length);
      const secrets = planted.filter((p) => p.file === file).map((p) => p.value);
      const kept = before.filter((l) => !secrets.some((s) => l.includes(s)) && !/^\s*\d+ \| [A-Za-z0-9+/]{40,}=*$/.test(l));
      for (const line of kept) expect(after).toContain(line);
      // A private key's body lines are one secret.
      expect(out.count).toBeGreaterThanOrEqual(planted.filter((p) => p.file === file && !p.kind.includes("last body line")).length);
    });
  }
});

test("a private key is one redaction, its placeholder on every body line, BEGIN/END lines kept", async () => {
  const text = numberLines(read(SECRETS, "deploy_key.rs"), 1);
  const out = await redactSecrets(text);
  expect(out.count).toBe(1);
  const body = out.text.split("\n").slice(4, 13);
  expect(new Set(body.map((l) => l.replace(/^\s*\d+ \| /, ""))).size).toBe(1);
  expect(out.text).toContain(" 4 | -----BEGIN RSA PRIVATE KEY-----");
  expect(out.text).toContain("14 | -----END RSA PRIVATE KEY-----");
});

test("a key cut by a shard boundary (only its END line in the shard) is still masked", async () => {
  const lines = read(SECRETS, "deploy_key.rs").split("\n");
  const shard = numberLines(lines.slice(8, 20).join("\n"), 9);
  const out = await redactSecrets(shard);
  for (const p of planted.filter((x) => x.file === "deploy_key.rs")) expect(out.text).not.toContain(p.value);
  expect(out.text).not.toMatch(/\| [A-Za-z0-9+/]{40,}/);
});

test("the same secret reads the same placeholder in every shard and document", async () => {
  const value = planted.find((p) => p.kind === "GitHub token")!.value;
  const a = await redactSecrets(` 3 | const GITHUB_TOKEN = "${value}";`);
  const b = await redactSecrets(`Deploy with token ${value} from the vault.`);
  expect(a.text).toContain(placeholderFor(value));
  expect(b.text).toContain(placeholderFor(value));
});

test("a connection string keeps everything but its password", async () => {
  const out = await redactSecrets("DATABASE_URL=postgres://billing:LKyuhx3eTD6oukfbH0@db.internal:5432/billing");
  expect(out).toEqual({ text: `DATABASE_URL=postgres://billing:${placeholderFor("LKyuhx3eTD6oukfbH0")}@db.internal:5432/billing`, count: 1 });
});

test("redacting a redacted text changes nothing: placeholders are not secrets", async () => {
  const once = await redactSecrets(numberLines(read(SECRETS, ".env.production"), 1));
  expect(await redactSecrets(once.text)).toEqual({ text: once.text, count: 0 });
});

describe("code that only talks about secrets is left as it is", () => {
  for (const file of readdirSync(CLEAN)) {
    test(file, async () => {
      const text = read(CLEAN, file);
      expect(await redactSecrets(text)).toEqual({ text, count: 0 });
    });
  }
  test("the shipped prompts and this page's own examples (docs/SECURITY.md)", async () => {
    const files = [...readdirSync(join(REPO, "prompts")).map((f) => join(REPO, "prompts", f)), join(REPO, "docs/SECURITY.md")];
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      expect(await redactSecrets(text)).toEqual({ text, count: 0 });
    }
  });
});

test("redactRequest masks system prompt and user prompt and counts both", async () => {
  const key = planted.find((p) => p.kind === "Stripe secret key")!.value;
  const out = await redactRequest({ system: `PRD: bill with ${key}`, prompt: ` 1 | STRIPE_SECRET_KEY=${key}`, shard: { path: "a", language: "text", lineStart: 1, text: key } });
  expect(out.count).toBe(2);
  expect(JSON.stringify(out.request)).not.toContain(key);
});
