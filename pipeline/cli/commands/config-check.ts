/**
 * `scrum config check`: validate the config, then probe each rung for reachability, model presence and the model's
 * real context window (where the server says it), warning when the configured context_tokens is larger; then a real
 * round trip per server (run/round-trip.ts): latency, the request shape accepted, whether the system message
 * survives, the window from the server's overflow refusal, and whether a minimal review fits at all. What it learns
 * about each server is remembered in the KB (`server_traits`), so the next run starts with it.
 */
import { resolveApiKeys, type Config, type RungConfig } from "../../config/config";
import type { TraitBook } from "../../providers/traits";
import { systemPromptOf } from "../../run/windows";
import { estimateRequest } from "../../review/tokens";
import { minimalRequest, minimalShortfall, roundTrip, type RoundTrip } from "../../run/round-trip";
import { kbTraitBook } from "../server-traits";
import { makeProvider } from "../../providers/make-provider";
import type { ProbeResult } from "../../providers/provider";
import { checkProbes } from "../../run/probes";
import { renderTable } from "../table";
import { configFile, homeOf, loadContextConfig, openKb, type CommandContext } from "../context";
import { loadRunTexts } from "../../run/iteration";

interface RungCheck {
  rung: string;
  provider: string;
  model: string;
  ok: boolean;
  /** The configured window (context_tokens or the provider default); null for the static rung. */
  context_tokens: number | null;
  servers: ProbeResult[];
  advice: string | null;
  /** Problems that do not stop a run but make it worse: a window larger than the server's. */
  warnings: string[];
  /** One real minimal review per reachable server with the model. */
  round_trips: RoundTrip[];
  /** Why this rung's window cannot hold a minimal review, or null. */
  too_small: string | null;
}

/**
 * Exit 0 when every rung answers with its model, 1 when one does not, 2 when the config itself is wrong or no model
 * rung's window can hold the system prompt, one small function and the answer reserve.
 */
export async function configCheckCommand(ctx: CommandContext): Promise<number> {
  const config = loadContextConfig(ctx);
  checkProbes(config.probes);
  // What a run reads before it starts: a prompt or instructions file it could not use fails here too.
  loadRunTexts(config, homeOf(ctx).root);
  const keys = resolveApiKeys(config, ctx.env);
  const systemPrompt = systemPromptOf(config);
  const kb = openKb(ctx, { mustExist: false });
  try {
    return await checkRungs(ctx, config, keys, systemPrompt, kbTraitBook(kb));
  } finally {
    kb.close();
  }
}

async function checkRungs(ctx: CommandContext, config: Config, keys: Map<string, string>, systemPrompt: string, traits: TraitBook): Promise<number> {
  const checks: RungCheck[] = await Promise.all(
    config.ladder.map(async (rung): Promise<RungCheck> => {
      const base = { rung: rung.name, provider: rung.provider, model: rung.model, context_tokens: rung.contextTokens ?? null };
      if (rung.provider === "static") {
        return { ...base, ok: true, servers: [{ server: "local", reachable: true, modelPresent: true, detail: "built-in heuristics" }], advice: null, warnings: [], round_trips: [], too_small: null };
      }
      const apiKey = keys.get(rung.name);
      const provider = makeProvider(rung, apiKey !== undefined ? { apiKey } : {});
      let servers: ProbeResult[];
      try {
        servers = await provider.probe(AbortSignal.timeout(Math.min(rung.timeoutMs, 10_000)));
      } catch (e) {
        servers = rung.servers.map((s) => ({ server: s, reachable: false, modelPresent: false, detail: (e as Error).message }));
      }
      // Servers answer one round trip at a time: on a shared CPU box two at once only slow both.
      const trips: RoundTrip[] = [];
      for (const s of servers.filter((x) => x.reachable && x.modelPresent)) {
        trips.push(await roundTrip(rung, s, systemPrompt, { traits, ...(apiKey !== undefined ? { apiKey } : {}) }));
      }
      const ok = servers.every((s) => s.reachable && s.modelPresent) && trips.every((t) => t.answered);
      const learnt = trips.filter((t) => t.window !== null).map((t) => ({ server: t.server, reachable: true, modelPresent: true, detail: "", contextTokens: t.window! }));
      const tooSmall = trips.map((t) => minimalShortfall(t, rung)).find((x) => x !== null) ?? (trips.length === 0 ? minimalShortfall({ needs: await estimateRequest(minimalRequest(rung, systemPrompt), rung), window: null }, rung) : null);
      const warnings = [
        ...windowWarnings(rung, servers.some((s) => s.contextTokens !== undefined) ? servers : learnt),
        ...trips.filter((t) => !t.answered).map((t) => `${t.server} did not answer a minimal review: ${t.detail}`),
        ...trips.filter((t) => t.systemRole === false).map((t) => `${t.server}: the chat template drops the system message; scrum sends the system prompt in the user message (set system_role = false to skip the detection)`),
        ...(tooSmall ? [`${tooSmall}; raise context_tokens (and the server's window, e.g. llama.cpp --n_ctx) or lower max_output_tokens`] : []),
      ];
      return { ...base, ok, servers, advice: ok ? null : adviceFor(rung.provider, rung.model, servers, trips), warnings, round_trips: trips, too_small: tooSmall };
    }),
  );
  const ok = checks.every((c) => c.ok);
  const models = checks.filter((c) => c.provider !== "static");
  // No model rung can hold a minimal review: every shard would be skipped, so the run would be the static rung alone.
  const noneFits = models.length > 0 && models.every((c) => c.too_small !== null);
  if (ctx.json) {
    ctx.io.out(JSON.stringify({ config: configFile(ctx), valid: true, ok: ok && !noneFits, rungs: checks }, null, 2));
  } else {
    ctx.io.out(`config ${configFile(ctx)}: valid (${config.ladder.length} rungs${config.reduce.rung ? `, reduce by ${config.reduce.rung}` : ""}, ${config.probes.length} probes)`);
    ctx.io.out(
      renderTable(
        ["rung", "provider", "model", "server", "reachable", "model present", "window", "detail"],
        checks.flatMap((c) =>
          c.servers.map((s) => [c.rung, c.provider, c.model, s.server, s.reachable ? "yes" : "NO", s.modelPresent ? "yes" : "NO", windowCell(c.context_tokens, { ...s, ...learntWindow(c.round_trips, s.server) }), s.detail.slice(0, 80)]),
        ),
      ),
    );
    for (const c of checks) if (c.advice) ctx.io.out(`rung ${c.rung}: ${c.advice}`);
    const trips = checks.flatMap((c) => c.round_trips.map((t) => [c.rung, t.server, t.answered ? "yes" : "NO", t.latencyMs === null ? "-" : `${t.latencyMs} ms`, t.shape ?? "-", systemCell(t), windowLearnt(t)]));
    if (trips.length > 0) ctx.io.out(renderTable(["rung", "server", "answered", "latency", "shape", "system message", "window learnt"], trips));
    for (const c of checks) for (const w of c.warnings) ctx.io.out(`warning: rung ${c.rung}: ${w}`);
    if (noneFits) ctx.io.out("error: no model rung's window can hold a minimal review; a run would send nothing");
  }
  if (noneFits) return 2;
  return ok ? 0 : 1;
}

/** The window a round trip learnt for a server the listing said nothing about. */
function learntWindow(trips: RoundTrip[], server: string): { contextTokens?: number } {
  const w = trips.find((t) => t.server === server)?.window;
  return w !== null && w !== undefined ? { contextTokens: w } : {};
}

/** "kept (912 of ~1100 read)", "dropped", or "?" when the server reports no token counts. */
function systemCell(t: RoundTrip): string {
  if (t.systemRole === null) return "?";
  const read = t.promptTokens !== null ? ` (${t.promptTokens} of ~${t.sentTokens} tokens read)` : "";
  return `${t.systemRole ? "kept" : "dropped"}${read}`;
}

function windowLearnt(t: RoundTrip): string {
  return t.window === null ? "?" : `${t.window} (${t.windowFrom})`;
}

function adviceFor(provider: string, model: string, servers: ProbeResult[], trips: RoundTrip[]): string {
  if (servers.some((s) => !s.reachable)) {
    return provider === "ollama"
      ? `start Ollama (\`ollama serve\`) or fix host/hosts; until then the rung's calls fail and climb to the next rung`
      : `check base_url and the network; until then the rung's calls fail and climb to the next rung`;
  }
  if (servers.some((s) => !s.modelPresent)) {
    return provider === "ollama" ? `pull the model: \`ollama pull ${model}\`` : `the endpoint does not list model "${model}"; check the model name`;
  }
  // Listed and reachable, yet a minimal review failed: the server itself (a crash, a refusal, no memory), not the name.
  const failed = trips.filter((t) => !t.answered).map((t) => t.server);
  return `${failed.join(", ")} ${failed.length === 1 ? "lists" : "list"} the model but did not answer a minimal review (the warning below says how); check the server and its log: until then the rung's calls fail and climb to the next rung`;
}

/** "8192 (server 32768)": the configured window, then what the server reports ("?" when it does not say). */
function windowCell(configured: number | null, s: ProbeResult): string {
  if (configured === null) return "-";
  if (!s.modelPresent) return String(configured);
  return `${configured} (server ${s.contextTokens ?? "?"})`;
}

/** A warning per server whose model window is smaller than the rung's context_tokens: what would fit is less than the ladder thinks. */
export function windowWarnings(rung: RungConfig, servers: ProbeResult[]): string[] {
  const configured = rung.contextTokens;
  if (configured === undefined) return [];
  const consequence =
    rung.provider === "ollama" ? "Ollama clamps num_ctx to it and cuts longer prompts from the front (the answers are then rejected as truncated)" : "the server refuses longer requests";
  return servers
    .filter((s) => s.contextTokens !== undefined && s.contextTokens < configured)
    .map((s) => `context_tokens = ${configured} but ${s.server} reports a window of ${s.contextTokens} tokens for ${rung.model}; ${consequence}. Set context_tokens = ${s.contextTokens}`);
}
