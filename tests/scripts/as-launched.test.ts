import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launcherEnv } from "../../scripts/as-launched";

const ROOT = join(import.meta.dir, "../..");

describe("benchmarks run as bin/scrum runs scrum", () => {
  test("the launcher's defaults are read from bin/scrum itself", () => {
    expect(launcherEnv()).toEqual({ MIMALLOC_PURGE_DELAY: "-1" });
  });

  test("bin/scrum hands its default to the process it starts, and a value already set wins", async () => {
    // A copy of the launcher that runs `env` instead of Bun: what the CLI's process would see.
    const dir = mkdtempSync(join(tmpdir(), "scrum-launcher-"));
    try {
      const launcher = join(dir, "scrum");
      const text = await Bun.file(join(ROOT, "bin/scrum")).text();
      writeFileSync(launcher, text.replace(/^for bun in[\s\S]*$/m, "env\n"), { mode: 0o755 });
      const env = (extra: Record<string, string>) => {
        const { MIMALLOC_PURGE_DELAY: _, ...rest } = process.env;
        return spawnSync("sh", [launcher], { env: { ...rest, ...extra }, encoding: "utf8" }).stdout;
      };
      expect(env({})).toMatch(/^MIMALLOC_PURGE_DELAY=-1$/m);
      expect(env({ MIMALLOC_PURGE_DELAY: "10" })).toMatch(/^MIMALLOC_PURGE_DELAY=10$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
