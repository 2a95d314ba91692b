/**
 * Partitions into one iteration (`scrum run --partition K/N --iteration-group NAME`, docs/TEAM.md): N jobs sharing one
 * KB review their shares into the group's one iteration. The first job to arrive opens it, fixes the split once (each
 * planned file goes into the queue with its share, pipeline/run/partition.ts's split) and stores what the group was
 * asked for; a share-K job is a worker of the queue that claims only files of share K (pipeline/run/workers.ts). A
 * later job does not plan: it checks that it asks for what the group was opened with (N, targets, config) and takes
 * its share's files from the queue, so state written by the other jobs meanwhile cannot change its split.
 */
import type { Iteration } from "../../domain/records";
import { UsageError } from "../../domain/errors";
import { rootKey } from "../targets/root-path";
import { splitDigest, type SplitInput } from "./partition";

/** What a job of the group asks for, compared with the group's on every job after the first. */
export interface GroupRequest {
  /** The targets given, repository-relative, sorted. */
  inputs: string[];
  changed: boolean;
  fromFlagged: string | null;
}

/** `partition_json` of a partitioned group's iteration (its `partition` column is null: it holds every share). */
export interface GroupPlan {
  kind: "group";
  group: string;
  count: number;
  basis: SplitInput["basis"];
  /** sha256 of the split input (pipeline/run/partition.ts): the split the queue's shares come from. */
  digest: string;
  /** Files planned across all shares. */
  planned: number;
  request: GroupRequest;
}

export function groupRequest(input: { cwd: string; root: string; inputs: string[]; changed: boolean; fromFlagged?: string }): GroupRequest {
  return {
    inputs: [...new Set(input.inputs.map((i) => rootKey(i, { cwd: input.cwd, root: input.root })))].sort(),
    changed: input.changed,
    fromFlagged: input.fromFlagged ?? null,
  };
}

export function groupPlan(group: string, split: SplitInput, request: GroupRequest): GroupPlan {
  return { kind: "group", group, count: split.count, basis: split.basis, digest: splitDigest(split), planned: split.paths.length, request };
}

/** The group plan an iteration stores; undefined for one that is not a partitioned group's (a `--workers` group). */
export function readGroupPlan(it: Iteration): GroupPlan | undefined {
  if (!it.partition_json || it.partition) return undefined;
  const plan = JSON.parse(it.partition_json) as Partial<GroupPlan>;
  return plan.kind === "group" ? (plan as GroupPlan) : undefined;
}

/**
 * Refuse (exit 2, nothing written) a job that does not belong to the group's iteration: a partition count, targets,
 * commit (of a partitioned group whose first job was in a git checkout) or config other than the group's, or a
 * `--workers` job on a partitioned group and the other way round. Each names the group's value and this job's.
 */
export function checkJoinsGroup(it: Iteration, group: string, mine: { count: number | undefined; request: GroupRequest; configJson: string; gitCommit: () => string | null }): void {
  const plan = readGroupPlan(it);
  const where = `iteration group ${group} (iteration ${it.id})`;
  if (plan === undefined && mine.count !== undefined) {
    throw new UsageError(`${where} is a --workers sweep, not split into partitions; this job has --partition ?/${mine.count}. Run it with --workers instead of --partition, or use another --iteration-group`);
  }
  if (plan !== undefined && mine.count === undefined) {
    throw new UsageError(`${where} is split into ${plan.count} partitions; this job has --workers and no --partition. Run it with --partition K/${plan.count}, or use another --iteration-group`);
  }
  if (plan !== undefined && mine.count !== plan.count) {
    throw new UsageError(`${where} is split into N=${plan.count} partitions; this job has --partition ?/${mine.count} (N=${mine.count}). Every job of a group gives the same N`);
  }
  if (plan !== undefined) {
    const theirs = describeRequest(plan.request);
    const ours = describeRequest(mine.request);
    if (theirs !== ours) throw new UsageError(`${where} reviews targets ${theirs}; this job asks for ${ours}. Every job of a group gives the same targets`);
  }
  // Shares of one split are shares of one tree: a job on another commit would review other files' contents.
  const commit = plan !== undefined && it.git_commit !== null ? mine.gitCommit() : null;
  if (commit !== null && commit !== it.git_commit) {
    throw new UsageError(`${where} reviews commit ${it.git_commit}; this checkout is at ${commit}. Every job of a group checks out the same commit`);
  }
  const differing = configDifference(it.config_json, mine.configJson);
  if (differing.length > 0) {
    throw new UsageError(`${where} runs with another config than this job's: ${differing.join("; ")}. Every job of a group runs with the same routing.toml (and --offline or not)`);
  }
}

function describeRequest(r: GroupRequest): string {
  const parts = [r.inputs.length > 0 ? r.inputs.join(" ") : "(no paths)"];
  if (r.changed) parts.push("--changed");
  if (r.fromFlagged !== null) parts.push(`--from-flagged ${r.fromFlagged}`);
  return `"${parts.join(" ")}"`;
}

/** The top-level keys in which two stored configs differ, each with the group's value and this job's (shortened). */
function configDifference(groupJson: string, mineJson: string): string[] {
  const theirs = JSON.parse(groupJson) as Record<string, unknown>;
  const ours = JSON.parse(mineJson) as Record<string, unknown>;
  // Where the routing.toml was read from is the runner's checkout, not the review's settings.
  const keys = [...new Set([...Object.keys(theirs), ...Object.keys(ours)])].filter((k) => k !== "source").sort();
  const shown = (v: unknown) => {
    const text = v === undefined ? "(none)" : JSON.stringify(v);
    return text.length > 160 ? `${text.slice(0, 157)}...` : text;
  };
  return keys.filter((k) => JSON.stringify(theirs[k]) !== JSON.stringify(ours[k])).map((k) => `${k}: the group's ${shown(theirs[k])}, this job's ${shown(ours[k])}`);
}
