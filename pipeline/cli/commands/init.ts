/** `scrum init`: a `.scrum/` folder in the repository with the shipped config (commented) and a .gitignore for the KB. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../../package.json";
import { UsageError } from "../../../domain/errors";
import { homeOf, type CommandContext } from "../context";
import { SCRUM_DIR, SHIPPED_CONFIG } from "../discover";

/** The KB and its WAL files stay out of git; the config is meant to be committed. */
const GITIGNORE = "# the knowledge base: local history, not source (see docs/WORKFLOWS.md for keeping it in CI)\nscrum.db\nscrum.db-wal\nscrum.db-shm\n";

/** Write `.scrum/routing.toml` and `.scrum/.gitignore` at the repository root (or the current directory outside git). */
export function initCommand(ctx: CommandContext, flags: { force: boolean }): number {
  const home = homeOf(ctx);
  const dir = join(home.gitRoot ?? ctx.cwd, SCRUM_DIR);
  const config = join(dir, "routing.toml");
  if (existsSync(config) && !flags.force) {
    throw new UsageError(`${config} already exists; edit it, or pass --force to replace it with the shipped config`);
  }
  mkdirSync(dir, { recursive: true });
  const header = `# Written by \`scrum init\` (scrumloop ${pkg.version}) from the shipped config. Commit this file.\n`;
  writeFileSync(config, header + readFileSync(SHIPPED_CONFIG, "utf8"));
  const ignore = join(dir, ".gitignore");
  if (!existsSync(ignore)) writeFileSync(ignore, GITIGNORE);
  if (ctx.json) ctx.io.out(JSON.stringify({ config, gitignore: ignore, kb: join(dir, "scrum.db") }, null, 2));
  else {
    ctx.io.out(
      [
        `wrote ${config} and ${ignore}`,
        `the knowledge base will be ${join(dir, "scrum.db")} (ignored by git)`,
        "next: edit the [[ladder]] in routing.toml, check it with `scrum config check`, then `scrum run src/` (or `scrum run . --offline` with no model server)",
      ].join("\n"),
    );
  }
  return 0;
}
