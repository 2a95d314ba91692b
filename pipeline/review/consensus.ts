/**
 * Consensus: a shard accepted on one of the `[consensus]` rungs is also put to the other named rungs (and samples),
 * and a finding survives only when at least `min_agree` answers report it: same lines within a tolerance, same
 * category family. Ladder escalation is untouched; this runs after it, on the rung(s) named.
 */
import { acceptAnswer } from "../answer/accept";
import type { ConsensusConfig } from "../config/config";
import type { CompletionRequest } from "../providers/provider";
import { FINDING_CATEGORIES, type Finding, type FindingCategory, type ShardVerdict } from "../../domain/verdict";
import type { Judgement } from "../call/attempt";
import type { Attempt } from "../../domain/attempt";
import { callRung } from "../call/call-rung";
import { shardRequestFor } from "../call/request";
import type { Rung } from "../call/rung";
import { climbLadder, type LadderDeps, type LadderResult } from "./ladder";

/** Categories that say the same kind of thing: two answers filing one problem under neighbouring lists still agree. */
const FAMILIES: Record<FindingCategory, string> = {
  pseudocode_flags: "unfinished",
  missing_components: "unfinished",
  critical_failures: "defect",
  risk_points: "defect",
  broken_pipelines: "defect",
  prd_mismatches: "spec",
  verified_components: "verified",
};

/** The problem categories voted on; verified components are proof of life and come from the accepted answer. */
const VOTED = FINDING_CATEGORIES.filter((c) => c !== "verified_components");

/** The family a category belongs to, for agreement between answers. */
export function categoryFamily(category: FindingCategory): string {
  return FAMILIES[category];
}

/** One answer in the vote: the verdict and the rung that gave it. */
export interface Vote {
  rung: string;
  verdict: ShardVerdict;
}

export interface VoteRule {
  minAgree: number;
  lineTolerance: number;
  /** Answers asked for (abstentions included): agreement is measured against this. */
  voters: number;
}

interface Cluster {
  category: FindingCategory;
  members: Array<{ answer: number; rung: string; finding: Finding }>;
}

/** Whether two findings are the same claim: same family, and line ranges within the tolerance of each other. */
export function sameFinding(a: { category: FindingCategory; finding: Finding }, b: { category: FindingCategory; finding: Finding }, tolerance: number): boolean {
  if (FAMILIES[a.category] !== FAMILIES[b.category]) return false;
  return a.finding.line_start <= b.finding.line_end + tolerance && b.finding.line_start <= a.finding.line_end + tolerance;
}

/**
 * Pool the answers into one shard verdict. The first vote is the ladder's accepted answer: its wording represents a
 * kept finding it took part in. A kept finding carries `agreement` (answers that reported it) and `agreed_by` (their
 * rungs); its confidence is the members' mean scaled by the share of voters that agreed.
 */
export function voteFindings(votes: Vote[], rule: VoteRule): ShardVerdict {
  const first = votes[0];
  if (!first) throw new Error("bug: a consensus vote needs at least the accepted answer");
  const clusters: Cluster[] = [];
  votes.forEach((vote, answer) => {
    for (const category of VOTED) {
      for (const finding of vote.verdict[category]) {
        const me = { category, finding };
        const home = clusters.find((c) => !c.members.some((m) => m.answer === answer) && c.members.some((m) => sameFinding({ category: c.category, finding: m.finding }, me, rule.lineTolerance)));
        if (home) home.members.push({ answer, rung: vote.rung, finding });
        else clusters.push({ category, members: [{ answer, rung: vote.rung, finding }] });
      }
    }
  });
  const lists = Object.fromEntries(FINDING_CATEGORIES.map((c) => [c, [] as Finding[]])) as Record<FindingCategory, Finding[]>;
  let dropped = 0;
  for (const c of clusters) {
    const agree = new Set(c.members.map((m) => m.answer)).size;
    if (agree < rule.minAgree) {
      dropped++;
      continue;
    }
    const lead = c.members[0]!;
    const mean = c.members.reduce((s, m) => s + m.finding.confidence, 0) / c.members.length;
    lists[c.category].push({
      ...lead.finding,
      confidence: Math.round(mean * (0.5 + (0.5 * agree) / Math.max(rule.voters, agree))),
      agreement: agree,
      agreed_by: [...new Set(c.members.map((m) => m.rung))],
    });
  }
  lists.verified_components = [...first.verdict.verified_components];
  const kept = VOTED.reduce((n, c) => n + lists[c].length, 0);
  const scores = votes.map((v) => v.verdict.alignment_score);
  return {
    verdict: kept === 0 ? "pass" : first.verdict.verdict === "pass" ? "needs_patch" : first.verdict.verdict,
    alignment_score: Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10,
    summary: `${first.verdict.summary}\nConsensus: ${votes.length} of ${rule.voters} answers; ${kept} finding(s) reported by at least ${rule.minAgree} kept, ${dropped} dropped.`,
    ...lists,
    required_next_actions: kept === 0 ? [] : first.verdict.required_next_actions,
  };
}

/** What one shard's review settled, with the extra calls consensus made (they are attempts, not escalations). */
export interface ConsensusResult extends LadderResult {
  votes: Attempt[];
}

/** Climb the ladder; when the accepted rung is a consensus rung, ask the other voters and pool the answers. */
export async function climbWithConsensus(
  request: Omit<CompletionRequest, "schema">,
  shardIndex: number,
  rungs: Rung[],
  consensus: ConsensusConfig | undefined,
  deps: LadderDeps,
  signal: AbortSignal,
): Promise<ConsensusResult> {
  const climbed = await climbLadder(request, shardIndex, rungs, deps, signal);
  const accepted = climbed.accepted;
  if (!consensus || !accepted || !consensus.rungs.includes(accepted.rung)) return { ...climbed, votes: [] };
  const voters = consensus.rungs.flatMap((name) => Array.from({ length: consensus.samples }, () => rungs.find((r) => r.config.name === name)!)).filter(Boolean);
  // The accepted answer is one of the accepted rung's samples.
  voters.splice(voters.findIndex((r) => r.config.name === accepted.rung), 1);
  const votes: Attempt[] = [];
  const record = (a: Attempt) => {
    votes.push(a);
    deps.onAttempt?.(a);
  };
  const judge = (text: string): Judgement<ShardVerdict> => {
    const a = acceptAnswer(text, { minChars: deps.minChars });
    return a.outcome === "accepted" ? { outcome: "accepted", value: a.verdict, format: a.format, notes: a.notes } : { outcome: a.outcome, reason: a.reason, format: a.format };
  };
  const answers = await Promise.all(
    voters.map(async (rung) => {
      // callRung redacts the request for a cloud rung.
      const r = await callRung(rung, shardRequestFor(rung.config, request), judge, { shardIndex, purpose: "review", record, deps, signal });
      // A thin, invalid or failed voter abstains: it neither agrees nor escalates.
      return r.accepted ? { rung: rung.config.name, verdict: r.accepted.value } : null;
    }),
  );
  const pool: Vote[] = [{ rung: accepted.rung, verdict: accepted.verdict }, ...answers.filter((a): a is Vote => a !== null)];
  const verdict = voteFindings(pool, { minAgree: consensus.minAgree, lineTolerance: consensus.lineTolerance, voters: voters.length + 1 });
  return { ...climbed, accepted: { ...accepted, verdict }, votes };
}
