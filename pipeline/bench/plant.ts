/** Planting: pick seeded, non-overlapping sites across the files (operators taken in turn), apply them, record each plant. */
import { findSites, OPERATOR_CATEGORIES, type Operator, type Site } from "./operators";
import { seededRandom } from "./random";
import type { FindingCategory } from "../../domain/verdict";

/** A file to plant into: its path (relative to the bench root), language and text. */
export interface BenchFile {
  path: string;
  language: string;
  text: string;
}

/** One planted defect: where it is in the planted file and what counts as finding it. */
export interface Plant {
  id: number;
  path: string;
  operator: Operator;
  line_start: number;
  line_end: number;
  categories: FindingCategory[];
  symbol: string | null;
  detail: string;
}

export interface PlantOptions {
  seed: number;
  /** How many defects to plant at most. */
  count: number;
  operators: readonly Operator[];
  /** At most this many plants in one file. */
  perFile: number;
  /** Plants in one file stay at least this many lines apart, so one finding cannot match two. */
  spacing: number;
}

export interface Planting {
  plants: Plant[];
  /** The planted text of each file that got a plant. */
  planted: Map<string, string>;
}

interface Chosen {
  file: BenchFile;
  site: Site;
}

/** Plant up to `count` defects, reproducibly for a seed and the same files. Files are never modified: texts come back. */
export async function plantDefects(files: BenchFile[], options: PlantOptions): Promise<Planting> {
  const random = seededRandom(options.seed);
  const sorted = [...files].sort((a, b) => a.path.localeCompare(b.path));
  const sites = new Map<string, Site[]>();
  for (const f of sorted) sites.set(f.path, (await findSites(f.language, f.text)).filter((s) => options.operators.includes(s.operator)));
  const chosen = new Map<string, Chosen[]>();
  const order = shuffle([...options.operators], random);
  let total = 0;
  let progress = true;
  while (total < options.count && progress) {
    progress = false;
    for (const op of order) {
      if (total >= options.count) break;
      const candidates: Chosen[] = sorted.flatMap((file) => {
        const taken = chosen.get(file.path) ?? [];
        if (taken.length >= options.perFile) return [];
        return (sites.get(file.path) ?? []).filter((s) => s.operator === op && taken.every((t) => apart(file.text, t.site, s, options.spacing))).map((site) => ({ file, site }));
      });
      if (candidates.length === 0) continue;
      // Prefer files with fewer plants, so defects spread over the tree.
      const fewest = Math.min(...candidates.map((c) => chosen.get(c.file.path)?.length ?? 0));
      const pool = candidates.filter((c) => (chosen.get(c.file.path)?.length ?? 0) === fewest);
      const pick = pool[Math.floor(random() * pool.length)]!;
      chosen.set(pick.file.path, [...(chosen.get(pick.file.path) ?? []), pick]);
      total++;
      progress = true;
    }
  }
  const plants: Plant[] = [];
  const planted = new Map<string, string>();
  for (const file of sorted) {
    const mine = chosen.get(file.path);
    if (!mine) continue;
    const applied = applySites(file.text, mine.map((c) => c.site));
    planted.set(file.path, applied.text);
    applied.lines.forEach(([start, end], i) => {
      const site = mine[i]!.site;
      plants.push({ id: 0, path: file.path, operator: site.operator, line_start: start, line_end: end, categories: OPERATOR_CATEGORIES[site.operator], symbol: site.symbol ?? null, detail: site.detail });
    });
  }
  plants.sort((a, b) => a.path.localeCompare(b.path) || a.line_start - b.line_start);
  plants.forEach((p, i) => (p.id = i + 1));
  return { plants, planted };
}

/** Apply non-overlapping edits; returns the new text and, per site in the given order, its 1-based focus lines. */
export function applySites(text: string, sites: Site[]): { text: string; lines: Array<[number, number]> } {
  const order = sites.map((s, i) => ({ s, i })).sort((a, b) => a.s.start - b.s.start);
  let out = "";
  let at = 0;
  const lines: Array<[number, number]> = new Array(sites.length);
  for (const { s, i } of order) {
    if (s.start < at) throw new Error(`bug: plant sites overlap at offset ${s.start}`);
    out += text.slice(at, s.start);
    const line = countLines(out);
    lines[i] = [Math.max(1, line + s.focus[0]), Math.max(1, line + s.focus[1])];
    out += s.text;
    at = s.end;
  }
  return { text: out + text.slice(at), lines };
}

/** The 1-based line a text ending here is on. */
function countLines(text: string): number {
  let n = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function apart(text: string, a: Site, b: Site, spacing: number): boolean {
  const lineOf = (offset: number) => countLines(text.slice(0, offset));
  const [a0, a1] = [lineOf(a.start), lineOf(a.end)];
  const [b0, b1] = [lineOf(b.start), lineOf(b.end)];
  return a1 + spacing < b0 || b1 + spacing < a0;
}

function shuffle<T>(list: T[], random: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}
