/** What every command receives: parsed global flags, the environment and the output streams. Only cli.ts builds it. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { Kb, kbPath } from "../../kb/kb";
import { defaultConfig, loadConfig, type Config } from "../config/config";
import { ConfigError } from "../errors";

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stderr is a terminal (live progress line) or not (plain lines). */
  errIsTty: boolean;
}

export interface CommandContext {
  cwd: string;
  env: Record<string, string | undefined>;
  io: Io;
  json: boolean;
  quiet: boolean;
  kbFlag?: string;
  configFlag?: string;
}

/** The config file to read: --config, else $SCRUM_CONFIG, else config/routing.toml when it exists. */
export function configFile(ctx: CommandContext): string | null {
  const explicit = ctx.configFlag ?? ctx.env.SCRUM_CONFIG;
  if (explicit) return resolve(ctx.cwd, explicit);
  const local = resolve(ctx.cwd, "config/routing.toml");
  return existsSync(local) ? local : null;
}

/** Load the config; commands that need no ladder fall back to the defaults when there is no file. */
export function loadContextConfig(ctx: CommandContext, options: { needLadder: boolean }): Config {
  const file = configFile(ctx);
  if (file) return loadConfig(file);
  if (options.needLadder) {
    throw new ConfigError(
      "no config file: create config/routing.toml (see docs/CONFIG.md), pass --config FILE or set $SCRUM_CONFIG, or run with --offline",
    );
  }
  return defaultConfig();
}

/** The knowledge-base file named by --kb, $SCRUM_KB or kb/scrum.db, resolved against the working directory. */
export function kbFile(ctx: CommandContext): string {
  return resolve(ctx.cwd, kbPath(ctx.kbFlag, ctx.env));
}

/** Open the knowledge base named by --kb, $SCRUM_KB or kb/scrum.db. */
export function openKb(ctx: CommandContext, options: { mustExist: boolean }): Kb {
  const file = kbFile(ctx);
  if (options.mustExist && !existsSync(file)) {
    throw new ConfigError(`no knowledge base at ${file}; run \`scrum run PATH\` first, or pass --kb FILE`);
  }
  return new Kb(file);
}
