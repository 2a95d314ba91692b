/** Progress of a run on stderr: a live bar on a terminal, plain lines otherwise. */
import { clipWords } from "./table";
import type { RunEvent } from "../run/iteration";
import type { CommandContext } from "./context";

/** A printer of run events; `end` closes a live bar. */
export function progressPrinter(ctx: CommandContext): { event: (e: RunEvent) => void; end: () => void } {
  let live = false;
  const say = (text: string) => {
    if (live) ctx.io.err("\r\x1b[2K");
    live = false;
    ctx.io.err(`${text}\n`);
  };
  return {
    event: (e) => {
      if (e.type === "warning") return say(`warning: ${e.message}`);
      if (ctx.quiet) return;
      if (e.type === "start") say(`iteration ${e.iterationId}: ${e.files} file${e.files === 1 ? "" : "s"}, ladder ${e.rungs.join(" → ")}`);
      if (e.type === "attempt" && e.attempt.outcome !== "accepted" && e.attempt.outcome !== "cached" && !ctx.io.errIsTty) {
        say(`  ${e.path} shard ${e.attempt.shardIndex + 1}: ${e.attempt.rung} ${e.attempt.outcome}${e.attempt.reason ? ` (${clipWords(e.attempt.reason, 160)})` : ""}`);
      }
      if (e.type === "file") {
        // The count is padded to the total's width, so verdicts and paths stay in their columns past file 9, 99, ….
        const text = `[${String(e.done).padStart(String(e.total).length)}/${e.total}] ${e.verdict.padEnd(11)} ${e.path}`;
        if (ctx.io.errIsTty) {
          const filled = Math.round((20 * e.done) / Math.max(1, e.total));
          ctx.io.err(`\r\x1b[2K${"█".repeat(filled)}${"░".repeat(20 - filled)} ${text}`);
          live = true;
        } else say(text);
      }
    },
    end: () => {
      if (live) ctx.io.err("\n");
    },
  };
}
