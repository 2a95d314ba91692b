import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { reportCommand } from "../../pipeline/cli/commands/report";
import { UsageError } from "../../domain/errors";
import { writeFileAtomic, type AtomicWriteFs } from "../../pipeline/report/write-file-atomic";
import { buildReportKb, type ReportKb } from "./report-kb";

let fx: ReportKb;
beforeAll(async () => {
  fx = await buildReportKb();
});
afterAll(() => fx.cleanup());

describe("scrum report", () => {
  test("defaults: the latest iteration, as Markdown on stdout", () => {
    const ctx = fx.context();
    expect(reportCommand(ctx, [], {})).toBe(0);
    expect(ctx.stdout()).toStartWith("# scrum report: iteration 4 (aborted)\n");
    expect(ctx.stderr()).toBe("");
  });

  test("ITER picks by id, label or previous; --json alone means the json format", () => {
    const byId = fx.context({ json: true });
    reportCommand(byId, ["1"], {});
    expect(JSON.parse(byId.stdout()).iteration).toMatchObject({ id: 1, label: "iter-1" });
    const byLabel = fx.context();
    reportCommand(byLabel, ["crafted"], { format: "sarif" });
    expect(JSON.parse(byLabel.stdout()).runs[0].automationDetails.id).toBe("scrumloop/assets,docs,src/iter-3");
    const previous = fx.context();
    reportCommand(previous, ["previous"], { format: "md" });
    expect(previous.stdout()).toStartWith("# scrum report: iteration 3 (crafted)\n");
  });

  test("--out writes the file atomically, stdout stays empty and stderr says where it went", () => {
    const file = join(fx.dir, "out", "scrum.sarif");
    mkdirSync(join(fx.dir, "out"));
    writeFileSync(file, "stale");
    const ctx = fx.context();
    expect(reportCommand(ctx, ["crafted"], { format: "sarif", out: file })).toBe(0);
    expect(ctx.stdout()).toBe("");
    expect(ctx.stderr()).toBe(`scrum: sarif report of iteration 3 written to ${file}\n`);
    const onStdout = fx.context();
    reportCommand(onStdout, ["crafted"], { format: "sarif" });
    expect(readFileSync(file, "utf8")).toBe(onStdout.stdout());
    expect(readdirSync(join(fx.dir, "out"))).toEqual(["scrum.sarif"]);
  });

  test("rdjsonl and codeclimate come out of the command: one diagnostic a line, one JSON array", () => {
    const rd = fx.context();
    expect(reportCommand(rd, ["iter-1"], { format: "rdjsonl" })).toBe(0);
    const lines = rd.stdout().split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(0, -1).map((l) => JSON.parse(l).source.name)).toEqual(Array(lines.length - 1).fill("scrumloop"));
    const cq = fx.context();
    expect(reportCommand(cq, ["iter-1"], { format: "codeclimate" })).toBe(0);
    const issues = JSON.parse(cq.stdout()) as { engine_name: string }[];
    expect(issues.length).toBe(lines.length - 1);
  });

  test("--out resolves against the working directory; --quiet silences the where-to line", () => {
    const ctx = { ...fx.context({ quiet: true }), cwd: fx.dir };
    reportCommand(ctx, ["iter-1"], { format: "json", out: "report.json" });
    expect(JSON.parse(readFileSync(join(fx.dir, "report.json"), "utf8")).iteration.label).toBe("iter-1");
    expect(ctx.stderr()).toBe("");
  });

  test("a bad --format, too many arguments or an unknown ITER is a UsageError naming the choices", () => {
    const ctx = fx.context();
    expect(() => reportCommand(ctx, [], { format: "html" })).toThrow(UsageError);
    expect(() => reportCommand(ctx, [], { format: "html" })).toThrow('--format must be one of: md, json, sarif, rdjsonl, codeclimate; got "html"');
    expect(() => reportCommand(ctx, ["1", "2"], {})).toThrow(/usage: scrum report \[ITER\]/);
    expect(() => reportCommand(ctx, ["no-such-label"], {})).toThrow(/no iteration labelled "no-such-label"/);
    expect(ctx.stdout()).toBe("");
  });

  test("--out into a folder that does not exist is a UsageError and writes nothing", () => {
    const ctx = fx.context();
    expect(() => reportCommand(ctx, [], { out: join(fx.dir, "missing", "r.md") })).toThrow(/the folder .*missing does not exist/);
    expect(ctx.stdout()).toBe("");
  });
});

describe("writeFileAtomic", () => {
  test("writes a temp file in the target's folder, then renames it over the target", () => {
    const calls: string[] = [];
    const fs = {
      existsSync: () => true,
      statSync: () => ({ isDirectory: () => true }),
      writeFileSync: (p: string, t: string) => void calls.push(`write ${p} ${t}`),
      renameSync: (from: string, to: string) => void calls.push(`rename ${from} ${to}`),
      rmSync: (p: string) => void calls.push(`rm ${p}`),
    } as unknown as AtomicWriteFs;
    writeFileAtomic("/reports/scrum.sarif", "{}", { fs, pid: 42, now: () => 1000 });
    expect(calls).toEqual(["write /reports/.scrum.sarif.42.1000.tmp {}", "rename /reports/.scrum.sarif.42.1000.tmp /reports/scrum.sarif"]);
  });

  test("a failed rename leaves the target as it was and no temp file behind", () => {
    const dir = join(fx.dir, "atomic");
    mkdirSync(join(dir, "target"), { recursive: true });
    // The target is a folder, so the rename over it fails after the temp file was written.
    expect(() => writeFileAtomic(join(dir, "target"), "new text", { pid: 7, now: () => 1 })).toThrow();
    expect(readdirSync(dir)).toEqual(["target"]);
  });
});
