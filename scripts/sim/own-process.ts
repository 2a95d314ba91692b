/**
 * The simulated server in a process of its own, as a real model server is: its CPU and memory are then not counted as
 * the caller's (benchmarks of the orchestrator's own CPU need that).
 */
import { join } from "node:path";
import type { Behaviour } from "../sim-server";

export async function startSimProcess(options: { behaviours: Record<string, Behaviour | Behaviour[]>; latencyMs: number }): Promise<{ ollamaHost: string; stop: () => Promise<void> }> {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = probe.port!;
  probe.stop(true);
  const models = Object.entries(options.behaviours).flatMap(([name, b]) => ["--model", `${name}=${(Array.isArray(b) ? b : [b]).join(",")}`]);
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "..", "sim-server.ts"), "--port", String(port), "--latency", String(options.latencyMs), ...models], { stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  let seen = "";
  while (!seen.includes("listening")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`sim server exited before listening: ${seen}`);
    seen += new TextDecoder().decode(value);
  }
  return { ollamaHost: `http://127.0.0.1:${port}`, stop: async () => void (child.kill(), await child.exited) };
}
