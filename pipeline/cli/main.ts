#!/usr/bin/env bun
/** The `scrum` entry point: parses arguments, dispatches, maps errors to exit codes. The only module that exits. */
import { existsSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { CommandContext, Io } from "./context";
import { configCheckCommand } from "./commands/config-check";
import { dashboardCommand } from "./commands/dashboard";
import { noteCommand } from "./commands/note";
import { reportCommand } from "./commands/report";
import { diffCommand, flaggedCommand, historyCommand, showCommand } from "./commands/read";
import { runCommand } from "./commands/run";
import { shardCommand } from "./commands/shard";
import { ConfigError, UsageError } from "../errors";
import { PreflightError } from "../run/iteration";

const HELP = `scrum — multi-model code audits run as a loop

usage: scrum COMMAND [options]

commands:
  run [PATH...]            one iteration: review, store verdicts + metrics
      --label TEXT  --from-flagged [ITER]  --resume [ITER]  --offline
      --concurrency N (files in flight, default 8)  --fail-on needs_patch|fail
  history                  one row per iteration
  diff [A] [B]             metric deltas, verdict transitions, findings new/resolved/persisting
  show [ITER] PATH         the stored file verdict and its attempts
  flagged [ITER]           files that need work, most urgent first (--format table|paths|json)
  report [ITER]            iteration report: --format md|json|sarif, --out FILE
  dashboard --out FILE     self-contained HTML: trajectory charts, flagged files, KB health
  note add PATH TEXT       a fix-next-loop note, put into the file's next prompt
  note list | note resolve ID
  shard FILE               the shard plan of one file
  config check             validate the config and probe every rung

global options:
  --kb FILE       knowledge base (default $SCRUM_KB, else kb/scrum.db)
  --config FILE   routing.toml (default $SCRUM_CONFIG, else config/routing.toml)
  --json          machine-readable output on stdout
  --quiet         no progress on stderr

ITER is an iteration id, a label, latest or previous.
exit codes: 0 done, 1 runtime failure, 2 usage or config error, 3 --fail-on tripped.
docs: README.md, docs/CONFIG.md, docs/METRICS.md, docs/WORKFLOWS.md, docs/REPORTS.md, docs/DASHBOARD.md`;

const GLOBAL: ParseArgsConfig["options"] = {
  kb: { type: "string" },
  config: { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const COMMAND_OPTIONS: Record<string, ParseArgsConfig["options"]> = {
  run: {
    label: { type: "string" },
    "from-flagged": { type: "string" },
    resume: { type: "string" },
    offline: { type: "boolean" },
    concurrency: { type: "string" },
    "fail-on": { type: "string" },
  },
  flagged: { format: { type: "string" } },
  report: { format: { type: "string" }, out: { type: "string" } },
  dashboard: { out: { type: "string" } },
};

/** Flags whose value is optional: bare, they mean `latest`. A following word is their value only if it names no file. */
function expandOptionalValues(args: string[], cwd: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--from-flagged" || a === "--resume") {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith("-") && !existsSync(`${cwd}/${next}`)) {
        out.push(`${a}=${next}`);
        i++;
      } else out.push(`${a}=latest`);
    } else out.push(a);
  }
  return out;
}

/** Run the CLI; returns the exit code. */
export async function main(argv: string[], env: Record<string, string | undefined>, io: Io, cwd: string, signal: AbortSignal): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    io.out(HELP);
    return command === undefined ? 2 : 0;
  }
  try {
    const options = { ...GLOBAL, ...(COMMAND_OPTIONS[command] ?? {}) };
    let parsed;
    try {
      parsed = parseArgs({ args: expandOptionalValues(rest, cwd), options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError(`${(e as Error).message.replace(/\. To specify.*$/s, "")}; \`scrum --help\` lists the options of each command`);
    }
    const v = parsed.values as Record<string, string | boolean | undefined>;
    if (v.help) {
      io.out(HELP);
      return 0;
    }
    const ctx: CommandContext = {
      cwd,
      env,
      io,
      json: v.json === true,
      quiet: v.quiet === true,
      ...(typeof v.kb === "string" ? { kbFlag: v.kb } : {}),
      ...(typeof v.config === "string" ? { configFlag: v.config } : {}),
    };
    const args = parsed.positionals;
    const str = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
    switch (command) {
      case "run":
        return await runCommand(
          ctx,
          {
            paths: args,
            offline: v.offline === true,
            ...(str("label") !== undefined ? { label: str("label")! } : {}),
            ...(str("from-flagged") !== undefined ? { fromFlagged: str("from-flagged")! } : {}),
            ...(str("resume") !== undefined ? { resume: str("resume")! } : {}),
            ...(str("concurrency") !== undefined ? { concurrency: str("concurrency")! } : {}),
            ...(str("fail-on") !== undefined ? { failOn: str("fail-on")! } : {}),
          },
          signal,
        );
      case "history":
        return historyCommand(ctx);
      case "diff":
        return diffCommand(ctx, args);
      case "show":
        return showCommand(ctx, args);
      case "flagged":
        return flaggedCommand(ctx, args, str("format"));
      case "report":
        return reportCommand(ctx, args, { ...(str("format") !== undefined ? { format: str("format")! } : {}), ...(str("out") !== undefined ? { out: str("out")! } : {}) });
      case "dashboard":
        if (args.length > 0) throw new UsageError("usage: scrum dashboard --out FILE.html");
        return dashboardCommand(ctx, str("out") !== undefined ? { out: str("out")! } : {});
      case "note":
        return noteCommand(ctx, args);
      case "shard":
        return await shardCommand(ctx, args);
      case "config":
        if (args[0] !== "check" || args.length !== 1) throw new UsageError("usage: scrum config check");
        return await configCheckCommand(ctx);
      default:
        throw new UsageError(`unknown command "${command}"; expected one of: run, history, diff, show, flagged, report, dashboard, note, shard, config check`);
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof UsageError) {
      io.err(`scrum: ${e.message}\n`);
      return 2;
    }
    if (e instanceof PreflightError) {
      io.err(`scrum: ${e.message}\n`);
      return 1;
    }
    io.err(`scrum: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

if (import.meta.main) {
  const controller = new AbortController();
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write("\ninterrupted: finishing the rows in flight and marking the iteration aborted (Ctrl-C again to quit now)\n");
    controller.abort(new Error("interrupted"));
  });
  const io: Io = {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text),
    errIsTty: process.stderr.isTTY === true,
  };
  const code = await main(process.argv.slice(2), process.env, io, process.cwd(), controller.signal);
  process.exit(code);
}
