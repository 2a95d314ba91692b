/** Planted defects: known problems inserted into copies of corpus files; the rung must report each at its line. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "./engine";

export interface Plant {
  name: string;
  repo: string;
  path: string;
  /** Insert after the first line whose trimmed text is this; without it, append at the end. */
  after?: string;
  insert: string[];
  /** Index in `insert` of the line the finding must start on. */
  at: number;
  rule: string;
}

export interface PlantResult {
  name: string;
  repo: string;
  path: string;
  line: number;
  rule: string;
  found: boolean;
}

/** The file text with the plant inserted, and the 1-based line the finding must start on. */
export function plantInto(text: string, plant: Plant): { text: string; line: number } {
  const lines = text.replace(/\n$/, "").split("\n");
  let at = lines.length;
  if (plant.after !== undefined) {
    const i = lines.findIndex((l) => l.trim() === plant.after);
    if (i < 0) throw new Error(`plant "${plant.name}": no line "${plant.after}" in ${plant.repo}/${plant.path}`);
    at = i + 1;
  }
  lines.splice(at, 0, ...plant.insert);
  return { text: `${lines.join("\n")}\n`, line: at + plant.at + 1 };
}

/** The plants of scripts/corpus/plants.json. */
export function readPlants(): Plant[] {
  return JSON.parse(readFileSync(join(import.meta.dir, "plants.json"), "utf8")) as Plant[];
}

/** Plant each defect into its own copy of the file (in memory), shard and scan it, and check the rule fired at the line. */
export async function plantRecall(engine: Engine, corpus: string): Promise<PlantResult[]> {
  const results: PlantResult[] = [];
  for (const plant of readPlants()) {
    const planted = plantInto(readFileSync(join(corpus, plant.repo, plant.path), "utf8"), plant);
    const plan = await engine.shard(plant.path, planted.text);
    let found = false;
    for (const s of plan.shards) {
      const verdict = await engine.scan({ path: plant.path, language: plan.language, lineStart: s.lineStart, text: s.text });
      for (const [category, list] of Object.entries(verdict)) {
        if (!Array.isArray(list) || category === "verified_components") continue;
        for (const f of list as Array<{ rule?: string; title?: string; line_start?: number }>) {
          const rule = f.rule ?? /\[([\w-]+)\]$/.exec(f.title ?? "")?.[1];
          if (rule === plant.rule && f.line_start === planted.line) found = true;
        }
      }
    }
    results.push({ name: plant.name, repo: plant.repo, path: plant.path, line: planted.line, rule: plant.rule, found });
  }
  return results;
}
