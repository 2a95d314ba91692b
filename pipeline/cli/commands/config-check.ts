/** `scrum config check`: validate the config, then probe each rung for reachability and model presence. */
import { resolveApiKeys } from "../../config/config";
import { makeProvider } from "../../providers/make-provider";
import type { ProbeResult } from "../../providers/provider";
import { checkProbes } from "../../run/probes";
import { renderTable } from "../table";
import { configFile, loadContextConfig, type CommandContext } from "../context";

interface RungCheck {
  rung: string;
  provider: string;
  model: string;
  ok: boolean;
  servers: ProbeResult[];
  advice: string | null;
}

/** Exit 0 when every rung answers with its model, 1 when one does not, 2 when the config itself is wrong. */
export async function configCheckCommand(ctx: CommandContext): Promise<number> {
  const config = loadContextConfig(ctx);
  checkProbes(config.probes);
  const keys = resolveApiKeys(config, ctx.env);
  const checks: RungCheck[] = await Promise.all(
    config.ladder.map(async (rung): Promise<RungCheck> => {
      const base = { rung: rung.name, provider: rung.provider, model: rung.model };
      if (rung.provider === "static") {
        return { ...base, ok: true, servers: [{ server: "local", reachable: true, modelPresent: true, detail: "built-in heuristics" }], advice: null };
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
      return { ...base, ok, servers, advice: ok ? null : adviceFor(rung.provider, rung.model, servers) };
    }),
  );
  const ok = checks.every((c) => c.ok);
  if (ctx.json) {
    ctx.io.out(JSON.stringify({ config: configFile(ctx), valid: true, ok, rungs: checks }, null, 2));
  } else {
    ctx.io.out(`config ${configFile(ctx)}: valid (${config.ladder.length} rungs${config.reduce.rung ? `, reduce by ${config.reduce.rung}` : ""}, ${config.probes.length} probes)`);
    ctx.io.out(
      renderTable(
        ["rung", "provider", "model", "server", "reachable", "model present", "detail"],
        checks.flatMap((c) => c.servers.map((s) => [c.rung, c.provider, c.model, s.server, s.reachable ? "yes" : "NO", s.modelPresent ? "yes" : "NO", s.detail.slice(0, 80)])),
      ),
    );
    for (const c of checks) if (c.advice) ctx.io.out(`rung ${c.rung}: ${c.advice}`);
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
