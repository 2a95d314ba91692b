#!/usr/bin/env bun
/** The `scrum` entry point: runs the program, maps errors to exit codes. The only module that touches the process. */
import { CommanderError } from "commander";
import type { Io } from "./context";
import type { Home } from "./discover";
import { explainIoFailure } from "./io-errors";
import { bindOptionalValues, buildProgram } from "./program";
import { writeSync } from "node:fs";

/** Errors whose message the user acts on: a usage or config problem or a damaged KB (exit 2), or a run that could not start (exit 1). */
const USER_ERRORS: Record<string, number> = { ConfigError: 2, UsageError: 2, DamagedKbError: 2, PreflightError: 1 };
/** commander's codes for help and version: not errors. */
const INFORMATIONAL = new Set(["commander.helpDisplayed", "commander.help", "commander.version"]);

/** Run the CLI; returns the exit code. */
export async function main(argv: string[], env: Record<string, string | undefined>, io: Io, cwd: string, signal: AbortSignal): Promise<number> {
  let code = 0;
  let home: Home | undefined;
  const program = buildProgram({ env, io, cwd, signal, exit: (c) => void (code = c), onHome: (h) => void (home = h) });
  if (argv.length === 0) {
    // Bare `scrum` is a usage error: the help goes where errors go.
    io.err(`${program.helpInformation()}`);
    return 2;
  }
  try {
    await program.parseAsync(bindOptionalValues(argv), { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (INFORMATIONAL.has(e.code)) return 0;
      if (e.code === "commander.unknownCommand") io.err(`commands: ${program.commands.map((c) => c.name()).join(", ")}\n`);
      return 2;
    }
    const name = (e as Error)?.name;
    const mapped = name !== undefined ? USER_ERRORS[name] : undefined;
    if (mapped !== undefined) {
      io.err(`scrum: ${(e as Error).message}\n`);
      return mapped;
    }
    const failure = explainIoFailure(e, home);
    if (failure !== null) {
      io.err(`scrum: ${failure.message}\n`);
      return failure.code;
    }
    io.err(`scrum: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

/**
 * Write all of `text` to a file descriptor before going on. A pipe takes 64 KiB at a time, and process.stdout's
 * buffered writes were dropped by process.exit: `scrum report --format json | jq` read 65,536 bytes of 97,828 when
 * the reader was slower than scrum. A reader that went away (`scrum … | head`) ends the output, not the command.
 */
function writeAll(fd: number, text: string): void {
  let rest = Buffer.from(text);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EPIPE") return;
      if (code !== "EAGAIN") throw e;
      Bun.sleepSync(1);
    }
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
    out: (text) => writeAll(1, text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => writeAll(2, text),
    errIsTty: process.stderr.isTTY === true,
  };
  const code = await main(process.argv.slice(2), process.env, io, process.cwd(), controller.signal);
  process.exit(code);
}
