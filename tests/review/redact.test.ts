import { expect, test } from "bun:test";
import { redactSecrets } from "../../pipeline/review/redact";

const cases: Array<[string, string, string, number]> = [
  ["an AWS key", 'const id = "AKIAIOSFODNN7EXAMPLE";', 'const id = "[REDACTED]";', 1],
  ["an OpenAI-style key", "key: sk-proj-abcdefghijklmnopqrstuvwx", "key: [REDACTED]", 1],
  ["a secret assignment", 'let api_key = "hunter2hunter2";', 'let api_key = "[REDACTED]";', 1],
  ["a password in TOML", 'db_password = "correct-horse-battery"', 'db_password = "[REDACTED]"', 1],
  ["a private key block", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "[REDACTED]", 1],
  ["ordinary code", 'let token_count = tokens.len(); const name = "password field";', 'let token_count = tokens.len(); const name = "password field";', 0],
];

for (const [what, input, output, count] of cases) {
  test(`redacts ${what}`, () => {
    expect(redactSecrets(input)).toEqual({ text: output, count });
  });
}
