/**
 * `scrum kb merge A.db B.db … [--into KB]`: the shares of one partitioned sweep (`scrum run --partition K/N`, one
 * SQLite KB per job) joined into one new iteration of the target KB, as if one job had swept the whole tree. Every
 * file's review, findings, attempts and cached answers are copied into a running iteration, then it is finished by the
 * run's own finishing code (complete.ts), so its state and metrics are those a single sweep computes.
 *
 * Refused, with nothing written (exit 2): a KB holding no finished share, shares split differently (another N, another
 * file list, tree or starting KB), a partition given twice, a file reviewed by two shares, shares of different
 * targets, configs or commits. Partitions not given are allowed and said: their files are stored `unreviewed`, so the
 * merged iteration is never a pass for them and any --fail-on gate trips.
 */
import type { FileRecord, Iteration } from "../../domain/records";
import { existsSync, realpathSync } from "node:fs";
import { isAbsolute, basename } from "node:path";
import type { Kb } from "../../kb/kb";
import type { Metrics } from "../../kb/aggregates";
import type { Config } from "../config/config";
import { UsageError } from "../../domain/errors";
import { mergeShardResults } from "../reduce/merge";
import { completeSweep } from "./complete";
import { assignShares, readSharePlan, type MergedPlan, type SharePlan } from "./partition";

/** One partition KB given to the merge. */
export interface PartitionKb {
  /** The file as given on the command line (said in messages and stored in the merged iteration). */
  file: string;
  kb: Kb;
}

export interface MergeInput {
  into: Kb;
  intoFile: string;
  parts: PartitionKb[];
  /** The checkout the shares swept: the probes run here and carried-forward files are checked here, as a run does. */
  root: string;
  /** The merged iteration's label; default the shares' label when they agree. */
  label?: string;
}

export interface MergeResult {
  iteration_id: number;
  label: string | null;
  partitions: MergedPlan["shares"];
  /** Partitions no KB was given for (`K/N`). */
  missing: string[];
  /** Files of the sweep no partition reviewed: stored as `unreviewed`. */
  unreviewed: string[];
  files: number;
  warnings: string[];
  metrics: Metrics;
}

/** No given KB holds a share: every job had nothing to review (a `--changed` sweep with no change). Exit 0, said why. */
export class NothingToMerge extends Error {
  override readonly name = "NothingToMerge";
}

interface Share {
  file: string;
  kb: Kb;
  it: Iteration;
  plan: SharePlan;
}

/** Merge the shares into one new iteration of `into`; throws UsageError (nothing written) when they do not fit together. */
export function mergePartitions(input: MergeInput): MergeResult {
  const shares = pickShares(input);
  const problems = [...checkShares(shares), ...alreadyMerged(input.into, shares)];
  const records = shares.map((s) => ({ share: s, ...s.kb.fileRecords(s.it.id) }));
  const reviewedBy = new Map<string, string>();
  for (const r of records) {
    const mine = assignShares(r.share.plan);
    for (const f of r.files) {
      const other = reviewedBy.get(f.review.path);
      if (other !== undefined) problems.push(`${f.review.path} was reviewed by two partitions (${other} and ${r.share.file})`);
      else if (mine.get(f.review.path) !== r.share.plan.index) problems.push(`${r.share.file} reviewed ${f.review.path}, which is not in its partition ${r.share.it.partition}`);
      reviewedBy.set(f.review.path, r.share.file);
    }
  }
  if (problems.length > 0) {
    throw new UsageError(`nothing merged into ${input.intoFile}:\n  ${problems.slice(0, 20).join("\n  ")}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ""}`);
  }

  const first = shares[0]!;
  const count = first.plan.count;
  const given = new Set(shares.map((s) => s.plan.index));
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !given.has(k)).map((k) => `${k}/${count}`);
  const unreviewed = first.plan.paths.filter((p) => !reviewedBy.has(p));
  const warnings: string[] = [];
  if (missing.length > 0) {
    warnings.push(
      `partition${missing.length === 1 ? "" : "s"} ${missing.join(", ")} not given: ${unreviewed.length} file${unreviewed.length === 1 ? "" : "s"} no partition reviewed ` +
        `are stored as unreviewed (never a pass; any --fail-on gate trips on them)`,
    );
  }
  const labels = new Set(shares.map((s) => s.it.label));
  const label = input.label ?? (labels.size === 1 ? first.it.label : null);
  const plan: MergedPlan = {
    kind: "merged",
    count,
    digest: first.plan.digest,
    shares: records.map((r) => ({ partition: r.share.it.partition!, kb: r.share.file, iteration: r.share.it.id, files: r.files.length, started_at: r.share.it.started_at })),
    missing,
    unreviewed,
  };
  // The sweep took as long as its slowest share.
  const wallMs = Math.max(0, ...shares.map((s) => s.kb.metrics.of(s.it.id).wall_ms ?? 0));
  const { into } = input;
  const dismissalOf = dismissalMapper(into, warnings);

  const { id, metrics } = into.atomically(() => {
    const id = into.iterations.start({
      label,
      configJson: first.it.config_json,
      gitCommit: first.it.git_commit,
      targets: first.it.targets,
      partition: { label: null, json: JSON.stringify(plan) },
    });
    for (const r of records) {
      r.files.forEach((f, i) => {
        const findings = f.findings.map((x) => (x.dismissal_id === null || x.dismissal_id === undefined ? x : { ...x, dismissal_id: dismissalOf(r.share, x.dismissal_id) }));
        // The shard cache rows are the iteration's, not a file's: they ride with its first file.
        into.recordFile(id, { ...f, findings, ...(i === 0 ? { cache: r.cache } : {}) });
      });
      pickUpNotes(r.share, into, id);
    }
    for (const path of unreviewed) into.recordFile(id, unreviewedRecord(path, missingPartitionReason(path, first.plan, missing)));
    // Finished with the config the shares ran with (its probes, its sweep), as the single run would have been.
    const config = JSON.parse(first.it.config_json) as Config;
    const metrics = completeSweep(into, id, { config, root: input.root, wallMs: () => wallMs, onWarning: (m) => warnings.push(m) });
    return { id, metrics };
  });
  return { iteration_id: id, label, partitions: plan.shares, missing, unreviewed, files: reviewedBy.size + unreviewed.length, warnings, metrics };
}

/** Each KB's share: its latest iteration run with --partition, which must be done. */
function pickShares(input: MergeInput): Share[] {
  if (input.parts.length === 0) throw new UsageError("kb merge needs the partitions' KB files: scrum kb merge A.db B.db … [--into KB]");
  // The same file by any path, or the same PostgreSQL KB (its URL as shown).
  const same = (a: string, b: string) => a === b || (existsSync(a) && existsSync(b) && realpathSync(a) === realpathSync(b));
  const problems: string[] = [];
  for (const [i, p] of input.parts.entries()) {
    if (same(p.file, input.intoFile)) problems.push(`${p.file} is the KB merged into; give the partitions' KBs, and --into the KB that keeps the history`);
    const twin = input.parts.slice(0, i).find((q) => same(q.file, p.file));
    if (twin) problems.push(`${p.file} is given twice (also as ${twin.file})`);
  }
  if (problems.length > 0) throw new UsageError(`nothing merged:\n  ${problems.join("\n  ")}`);
  const found = input.parts.map((p) => ({ ...p, it: p.kb.iterations.all().filter((it) => it.partition !== null && it.partition !== undefined).at(-1) }));
  const empty = found.filter((f) => f.it === undefined);
  if (empty.length === found.length) {
    throw new NothingToMerge(`no partition was run: none of ${found.map((f) => f.file).join(", ")} holds an iteration of \`scrum run --partition\` (with --changed: nothing changed); nothing merged`);
  }
  for (const f of empty) problems.push(`${f.file} holds no iteration of \`scrum run --partition K/N\`; give the KB each partition job wrote`);
  for (const f of found) {
    if (f.it && f.it.status !== "done") {
      problems.push(`${f.file}: its partition ${f.it.partition} (iteration ${f.it.id}) is ${f.it.status}, not done; finish it first (\`scrum --kb ${f.file} run --resume\` in the checkout) or leave it out`);
    }
  }
  if (problems.length > 0) throw new UsageError(`nothing merged into ${input.intoFile}:\n  ${problems.join("\n  ")}`);
  return found.map((f) => ({ file: f.file, kb: f.kb, it: f.it!, plan: readSharePlan(f.it!.partition_json ?? "", `${f.file}: iteration ${f.it!.id}`) }));
}

/** A share the target already holds (a merge run twice): each partition is merged once. */
function alreadyMerged(into: Kb, shares: Share[]): string[] {
  const merged = new Map<string, number>();
  for (const it of into.iterations.all()) {
    if (!it.partition_json || it.partition !== null) continue;
    const plan = JSON.parse(it.partition_json) as Partial<MergedPlan>;
    if (plan.kind !== "merged" || !Array.isArray(plan.shares)) continue;
    for (const s of plan.shares) merged.set(`${s.partition}\u0000${s.started_at}`, it.id);
  }
  return shares.flatMap((s) => {
    const id = merged.get(`${s.it.partition}\u0000${s.it.started_at}`);
    return id === undefined ? [] : [`${s.file}: its partition ${s.it.partition} (started ${s.it.started_at}) is already merged, as part of iteration ${id}`];
  });
}

/** Do the shares belong to one sweep: the same split (N, files, basis, sizes), targets, config and commit? */
function checkShares(shares: Share[]): string[] {
  const first = shares[0]!;
  const problems: string[] = [];
  const byIndex = new Map<number, string[]>();
  for (const s of shares) byIndex.set(s.plan.index, [...(byIndex.get(s.plan.index) ?? []), s.file]);
  for (const [k, files] of byIndex) if (files.length > 1) problems.push(`partition ${k}/${first.plan.count} is given twice: ${files.join(", ")}`);
  for (const s of shares.slice(1)) {
    const vs = `${s.file} (${s.it.partition}) and ${first.file} (${first.it.partition})`;
    if (s.plan.count !== first.plan.count) {
      problems.push(`${vs} split the sweep into different numbers of partitions`);
      continue;
    }
    if (JSON.stringify(s.it.targets) !== JSON.stringify(first.it.targets)) problems.push(`${vs} swept different targets: ${JSON.stringify(s.it.targets)} and ${JSON.stringify(first.it.targets)}`);
    if (s.plan.digest !== first.plan.digest) {
      problems.push(
        `${vs} were split from different inputs (${describeSplitDifference(s.plan, first.plan)}): ` +
          `run every partition on the same commit with the same paths and flags, each starting from the same KB`,
      );
    }
    if (s.it.git_commit !== null && first.it.git_commit !== null && s.it.git_commit !== first.it.git_commit) {
      problems.push(`${vs} ran at different commits (${s.it.git_commit} and ${first.it.git_commit})`);
    }
    if (comparableConfig(s.it.config_json) !== comparableConfig(first.it.config_json)) problems.push(`${vs} ran with different configs (ladder, rules or limits); run every partition with the same .scrum/routing.toml and flags`);
  }
  return problems;
}

function describeSplitDifference(a: SharePlan, b: SharePlan): string {
  if (a.paths.length !== b.paths.length) return `${a.paths.length} and ${b.paths.length} files planned`;
  const other = a.paths.find((p, i) => p !== b.paths[i]);
  if (other !== undefined) return `different files planned, e.g. ${other}`;
  if (a.basis !== b.basis) return `one balanced by ${a.basis}, the other by ${b.basis}: one started from a KB with a state, the other without`;
  return "different file sizes: they started from different KBs";
}

/** A stored config as compared across machines: where the config and prompt files sit on each runner does not matter. */
function comparableConfig(json: string): string {
  const strip = (v: unknown): unknown => {
    if (typeof v === "string") return isAbsolute(v) ? basename(v) : v;
    if (Array.isArray(v)) return v.map(strip);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([k]) => k !== "source").map(([k, x]) => [k, strip(x)]));
    return v;
  };
  return JSON.stringify(strip(JSON.parse(json)));
}

/**
 * A share's dismissal id as the target KB's: the target's dismissal of the same fingerprint (its latest), else the
 * share's dismissal copied in (said), so a finding set aside in the share stays set aside here.
 */
function dismissalMapper(into: Kb, warnings: string[]): (share: Share, id: number) => number {
  const byFingerprint = new Map(into.dismissals.all().map((d) => [d.fingerprint, d.id]));
  return (share, id) => {
    const d = share.kb.dismissals.all().find((x) => x.id === id);
    if (!d) throw new UsageError(`${share.file}: a finding names dismissal ${id}, which that KB does not hold; the KB was changed outside scrum`);
    const here = byFingerprint.get(d.fingerprint);
    if (here !== undefined) return here;
    const added = into.dismissals.add({ fingerprint: d.fingerprint, path: d.path, reason: d.reason });
    byFingerprint.set(d.fingerprint, added);
    warnings.push(`dismissal of ${d.fingerprint} (${d.path}) came from ${share.file}; copied into the target KB`);
    return added;
  };
}

/** Notes the share's run sent to a model are picked up in the target too (matched by path, text and creation time). */
function pickUpNotes(share: Share, into: Kb, id: number): void {
  const picked = share.kb.notes.all("picked_up").filter((n) => n.picked_up_in === share.it.id);
  if (picked.length === 0) return;
  const open = into.notes.all("open");
  const ids = picked.flatMap((n) => open.filter((o) => o.path === n.path && o.text === n.text && o.created_at === n.created_at).map((o) => o.id));
  if (ids.length > 0) into.notes.markPickedUp(ids, id);
}

function missingPartitionReason(path: string, plan: SharePlan, missing: string[]): string {
  const k = assignShares(plan).get(path);
  return k !== undefined && missing.includes(`${k}/${plan.count}`)
    ? `partition ${k}/${plan.count} was not merged: no partition reviewed this file`
    : `its partition did not review it (the file was gone when the partition ran)`;
}

/** The review of a file no partition reviewed: unreviewed, with the reason, no shard looked at. */
function unreviewedRecord(path: string, reason: string): FileRecord {
  const verdict = { ...mergeShardResults(path, [], []), path, summary: reason };
  return {
    review: {
      path, content_sha: null, verdict: "unreviewed", alignment_score: null, output_format: null, confidence_avg: null, confidence_min: null,
      gradient_tier: null, findings_count: 0, critical_failures_count: 0, missing_components_count: 0, verified_components_count: 0, shards: 0,
      tree_split_fired: false, attempts_made: 0, thin_rejections: 0, escalations: 0, accepted_model: null, tokens_in: 0, tokens_out: 0, cost_usd: 0,
      latency_ms: 0, review_json: JSON.stringify(verdict), error: reason, skip_reason: null, coverage_complete: false, evidence_unverified: 0,
      reduced_by: null, shard_strategy: null, instructions: null, reviewer: null, degraded_reason: null,
    },
    findings: [],
    attempts: [],
  };
}
