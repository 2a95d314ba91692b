/**
 * `scrum config check`: validate the config, then probe each rung for reachability, model presence and the model's
 * real context window (where the server says it), warning when the configured context_tokens is larger.
 */
import { resolveApiKeys, type RungConfig } from "../../config/config";
import { makeProvider } from "../../providers/make-provider";
import type { ProbeResult } from "../../providers/provider";
import { checkProbes } from "../../run/probes";
import { renderTable } from "../table";
import { configFile, homeOf, loadContextConfig, type CommandContext } from "../context";
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
}

/** Exit 0 when every rung answers with its model, 1 when one does not, 2 when the config itself is wrong. */
export async function configCheckCommand(ctx: CommandContext): Promise<number> {
  const config = loadContextConfig(ctx);
  checkProbes(config.probes);
  // What a run reads before it starts: a prompt or instructions file it could not use fails here too.
  loadRunTexts(config, homeOf(ctx).root);
  const keys = resolveApiKeys(config, ctx.env);
  const checks: RungCheck[] = await Promise.all(
    config.ladder.map(async (rung): Promise<RungCheck> => {
      const base = { rung: rung.name, provider: rung.provider, model: rung.model, context_tokens: rung.contextTokens ?? null };
      if (rung.provider === "static") {
        return { ...base, ok: true, servers: [{ server: "local", reachable: true, modelPresent: true, detail: "built-in heuristics" }], advice: null, warnings: [] };
      }
      const apiKey = keys.get(rung.name);
      const provider = makeProvider(rung, apiKey !== undefined ? { apiKey } : {});
      let servers: ProbeResult[];
      try {
        servers = await provider.probe(AbortSignal.timeout(Math.min(rung.timeoutMs, 10_000)));
      } catch (e) {
        servers = rung.servers.map((s) => ({ server: s, reachable: false, modelPresent: false, detail: (e as Error).message }));
      }
      const ok = servers.every((s) => s.reachable && s.modelPresent);
      return { ...base, ok, servers, advice: ok ? null : adviceFor(rung.provider, rung.model, servers), warnings: windowWarnings(rung, servers) };
    }),
  );
  const ok = checks.every((c) => c.ok);
  if (ctx.json) {
    ctx.io.out(JSON.stringify({ config: configFile(ctx), valid: true, ok, rungs: checks }, null, 2));
  } else {
    ctx.io.out(`config ${configFile(ctx)}: valid (${config.ladder.length} rungs${config.reduce.rung ? `, reduce by ${config.reduce.rung}` : ""}, ${config.probes.length} probes)`);
    ctx.io.out(
      renderTable(
        ["rung", "provider", "model", "server", "reachable", "model present", "window", "detail"],
        checks.flatMap((c) =>
          c.servers.map((s) => [c.rung, c.provider, c.model, s.server, s.reachable ? "yes" : "NO", s.modelPresent ? "yes" : "NO", windowCell(c.context_tokens, s), s.detail.slice(0, 80)]),
        ),
      ),
    );
    for (const c of checks) if (c.advice) ctx.io.out(`rung ${c.rung}: ${c.advice}`);
    for (const c of checks) for (const w of c.warnings) ctx.io.out(`warning: rung ${c.rung}: ${w}`);
  }
  return ok ? 0 : 1;
}

function adviceFor(provider: string, model: string, servers: ProbeResult[]): string {
  if (servers.some((s) => !s.reachable)) {
    return provider === "ollama"
      ? `start Ollama (\`ollama serve\`) or fix host/hosts; until then the rung's calls fail and climb to the next rung`
      : `check base_url and the network; until then the rung's calls fail and climb to the next rung`;
  }
  return provider === "ollama" ? `pull the model: \`ollama pull ${model}\`` : `the endpoint does not list model "${model}"; check the model name`;
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
