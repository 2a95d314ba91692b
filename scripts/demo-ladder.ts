/**
 * Demo of the model ladder with no model server: starts the simulated server (small answers thin, mid answers
 * malformed JSON, big answers well) on 127.0.0.1:11500 and runs one iteration over examples/demo-repo with
 * examples/sim-routing.toml, so every shard climbs two rungs. Prints the summary and one file's attempts.
 *
 *   bun scripts/demo-ladder.ts
 */
import { resolve } from "node:path";
import { main } from "../pipeline/cli/main";
import { startSimServer } from "./sim-server";

const root = resolve(import.meta.dir, "..");
const sim = await startSimServer({ port: 11500, behaviours: { small: "thin", mid: "malformed", big: "good" } });
const io = { out: (t: string) => void process.stdout.write(`${t}\n`), err: (t: string) => void process.stderr.write(t), errIsTty: false };
const common = ["--config", "examples/sim-routing.toml", "--kb", "kb/sim.db"];
try {
  let code = await main(["run", "examples/demo-repo", "--label", "ladder-demo", "--quiet", ...common], process.env, io, root, new AbortController().signal);
  if (code === 0) {
    io.out("\nattempts of examples/demo-repo/src/auth.rs (`scrum show`):");
    code = await main(["show", "examples/demo-repo/src/auth.rs", ...common], process.env, io, root, new AbortController().signal);
  }
  process.exitCode = code;
} finally {
  await sim.stop();
}
