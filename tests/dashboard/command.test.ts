import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kb } from "../../kb/kb";
import type { CommandContext } from "../../pipeline/cli/context";
import { dashboardCommand } from "../../pipeline/cli/commands/dashboard";
import { ConfigError, UsageError } from "../../domain/errors";

let dir: string;
let out: string;
let err: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "scrum-dash-cmd-"));
  out = "";
  err = "";
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function ctx(over: Partial<CommandContext> = {}): CommandContext {
  return { cwd: dir, env: {}, io: { out: (t) => void (out += `${t}\n`), err: (t) => void (err += t), errIsTty: false }, json: false, quiet: false, kbFlag: "scrum.db", ...over };
}

function seedKb(): void {
  const kb = new Kb(join(dir, "scrum.db"));
  const id = kb.iterations.start({ label: "iter-1", configJson: "{}", gitCommit: null, targets: ["."] });
  kb.metrics.record(id, { findings_total: 0 });
  kb.iterations.finish(id, "done");
  kb.close();
}

describe("scrum dashboard", () => {
  test("--out is required", () => {
    seedKb();
    expect(() => dashboardCommand(ctx(), {})).toThrow(UsageError);
  });

  test("a missing KB is a config error naming the file, and nothing is written", () => {
    expect(() => dashboardCommand(ctx(), { out: "d.html" })).toThrow(ConfigError);
    expect(existsSync(join(dir, "d.html"))).toBe(false);
    expect(existsSync(join(dir, "scrum.db"))).toBe(false);
  });

  test("writes the page (relative to cwd, creating folders), replaces an old one, leaves no temp file, says where on stderr", () => {
    seedKb();
    const file = join(dir, "site", "scrum.html");
    expect(dashboardCommand(ctx(), { out: "site/scrum.html", now: () => new Date("2026-04-24T12:00:00Z") })).toBe(0);
    writeFileSync(file, "old");
    expect(dashboardCommand(ctx(), { out: "site/scrum.html", now: () => new Date("2026-04-24T12:00:00Z") })).toBe(0);
    const html = readFileSync(file, "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("generated 2026-04-24T12:00:00.000Z");
    expect(readdirSync(join(dir, "site"))).toEqual(["scrum.html"]);
    expect(err).toBe(`dashboard: wrote ${file} (1 iteration)\n`.repeat(2));
    expect(out).toBe("");
  });

  test("--json prints where it wrote on stdout; --quiet keeps stderr silent", () => {
    seedKb();
    expect(dashboardCommand(ctx({ json: true, quiet: true }), { out: "d.html" })).toBe(0);
    expect(JSON.parse(out)).toEqual({ out: join(dir, "d.html"), iterations: 1, kb: join(dir, "scrum.db") });
    expect(err).toBe("");
  });
});
