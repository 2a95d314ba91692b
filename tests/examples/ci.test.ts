import { describe, expect, test } from "bun:test";
import { validateWorkflow } from "@action-validator/core";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { REPORT_FORMATS } from "../../pipeline/cli/commands/report";

const ROOT = resolve(import.meta.dir, "../..");
const GITHUB_FILE = resolve(ROOT, "examples/ci/github-scrum.yml");
const GITLAB_FILE = resolve(ROOT, "examples/ci/gitlab-scrum.yml");
const github = readFileSync(GITHUB_FILE, "utf8");
const gitlab = readFileSync(GITLAB_FILE, "utf8");
const ciDoc = readFileSync(resolve(ROOT, "docs/CI.md"), "utf8");

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string | number>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { permissions: Record<string, string>; steps: Step[] }>;
}

/** The job keywords of GitLab's CI/CD YAML reference (ci/yaml): a key outside this list is not a job keyword. */
const GITLAB_JOB_KEYWORDS = [
  "after_script", "allow_failure", "artifacts", "before_script", "cache", "coverage", "dast_configuration", "dependencies",
  "environment", "extends", "hooks", "identity", "id_tokens", "image", "inherit", "interruptible", "needs", "pages", "parallel",
  "release", "resource_group", "retry", "rules", "script", "secrets", "services", "stage", "tags", "timeout", "trigger",
  "variables", "when", "manual_confirmation", "run",
];

/** The `scrum report [--scope state] --format F --out FILE` commands of a script, as [format, file]. */
function reportCommands(script: string): [string, string][] {
  return [...script.matchAll(/scrum report (?:--scope state )?--format (\S+) --out (\S+)/g)].map((m) => [m[1]!, m[2]!]);
}

describe("examples/ci/github-scrum.yml", () => {
  const workflow = parse(github) as Workflow;
  const steps = workflow.jobs.audit!.steps;
  const step = (pred: (s: Step) => boolean) => steps.find(pred);

  test("is a valid GitHub Actions workflow (action-validator)", () => {
    expect(validateWorkflow(github).errors).toEqual([]);
  });

  test("the validator is not vacuous: a step with a mapping where a string belongs, or a job without runs-on, fails", () => {
    expect(validateWorkflow(github.replace("node-version: 20", "node-version: [20, [22]]")).errors.length).toBeGreaterThan(0);
    expect(validateWorkflow(github.replace("    runs-on: ubuntu-latest\n", "")).errors.length).toBeGreaterThan(0);
  });

  test("restores the KB, runs --changed with the fail gate, uploads SARIF and saves the KB under the key it restored from", () => {
    const restore = step((s) => s.uses?.startsWith("actions/cache/restore@") === true)!;
    const save = step((s) => s.uses?.startsWith("actions/cache/save@") === true)!;
    expect(restore.with!.path).toBe(".scrum/scrum.db");
    expect(save.with!.path).toBe(".scrum/scrum.db");
    expect(save.with!.key).toBe(restore.with!.key);
    expect(String(restore.with!["restore-keys"])).toContain("scrum-kb-${{ github.ref_name }}-");
    const run = step((s) => s.id === "scrum")!;
    expect(run.run).toMatch(/scrum run --changed .*--fail-on fail/);
    expect(steps.indexOf(restore)).toBeLessThan(steps.indexOf(run));
    expect(steps.indexOf(run)).toBeLessThan(steps.indexOf(save));

    const reports = steps.flatMap((s) => reportCommands(s.run ?? ""));
    expect(reports).toEqual([["sarif", "scrum.sarif"]]);
    const upload = step((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@") === true)!;
    expect(upload.with!.sarif_file).toBe("scrum.sarif");
    expect(workflow.jobs.audit!.permissions["security-events"]).toBe("write");
  });

  test("reports and uploads when the gate trips (exit 3), not after a runtime or config error", () => {
    const upload = step((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@") === true)!;
    expect(upload.if).toContain("steps.scrum.outputs.exit == '3'");
    expect(upload.if).toContain("steps.scrum.outputs.exit == '0'");
    expect(step((s) => s.id === "scrum")!.run).toContain('echo "exit=$status" >> "$GITHUB_OUTPUT"');
  });
});

describe("examples/ci/gitlab-scrum.yml", () => {
  const jobs = parse(gitlab) as Record<string, Record<string, unknown>>;

  test("parses as YAML into one job whose keys are all GitLab job keywords", () => {
    expect(Object.keys(jobs)).toEqual(["scrum"]);
    for (const key of Object.keys(jobs.scrum!)) expect(GITLAB_JOB_KEYWORDS, key).toContain(key);
    expect(typeof jobs.scrum!.image).toBe("string");
    expect(Array.isArray(jobs.scrum!.script)).toBe(true);
  });

  test("caches the KB (saved even when the job fails), runs --changed with the fail gate, publishes the Code Quality report", () => {
    const job = jobs.scrum as {
      cache: { key: string; fallback_keys: string[]; paths: string[]; when: string };
      script: string[];
      artifacts: { when: string; reports: { codequality: string }; paths: string[] };
    };
    expect(job.cache.paths).toEqual([".scrum/scrum.db"]);
    expect(job.cache.when).toBe("always");
    expect(job.cache.fallback_keys.length).toBeGreaterThan(0);
    const script = job.script.join("\n");
    expect(script).toMatch(/scrum run --changed .*--fail-on fail/);
    const reports = reportCommands(script);
    expect(reports).toContainEqual(["codeclimate", job.artifacts.reports.codequality]);
    expect(job.artifacts.when).toBe("always");
    expect(job.artifacts.paths).toContain(".scrum/scrum.db");
    expect(script.trimEnd().endsWith('exit "$status"')).toBe(true);
  });
});

describe("the recipes use real scrum commands and docs/CI.md shows them as shipped", () => {
  test("every report format they ask for is one scrum report knows", () => {
    for (const [format] of [...reportCommands(github), ...reportCommands(gitlab)]) expect(REPORT_FORMATS as readonly string[]).toContain(format);
  });

  test("docs/CI.md holds both files verbatim", () => {
    expect(ciDoc).toContain(github.trimEnd());
    expect(ciDoc).toContain(gitlab.trimEnd());
  });
});

describe("the partitioned recipes (docs/TEAM.md)", () => {
  const ghFile = readFileSync(resolve(ROOT, "examples/ci/github-scrum-partitioned.yml"), "utf8");
  const glFile = readFileSync(resolve(ROOT, "examples/ci/gitlab-scrum-partitioned.yml"), "utf8");
  const team = readFileSync(resolve(ROOT, "docs/TEAM.md"), "utf8");

  test("the GitHub matrix workflow is valid (action-validator) and splits by strategy.job-total", () => {
    expect(validateWorkflow(ghFile).errors).toEqual([]);
    expect(ghFile).toContain('--partition "${{ matrix.partition }}/${{ strategy.job-total }}"');
    expect(ghFile).toMatch(/scrum kb merge partitions\/\*\.db --fail-on fail/);
  });

  test("the GitLab jobs use only job keywords, a parallel:matrix and a merge that needs it", () => {
    const jobs = parse(glFile) as Record<string, Record<string, unknown>>;
    expect(Object.keys(jobs)).toEqual(["scrum-base", "scrum-partition", "scrum-merge"]);
    for (const job of Object.values(jobs)) for (const key of Object.keys(job)) expect(GITLAB_JOB_KEYWORDS, key).toContain(key);
    const matrix = (jobs["scrum-partition"]!.parallel as { matrix: Array<{ PARTITION: string[] }> }).matrix[0]!.PARTITION;
    expect(matrix.length).toBe(Number((jobs["scrum-partition"]!.variables as { PARTITIONS: string }).PARTITIONS));
    expect(jobs["scrum-merge"]!.needs).toEqual(["scrum-base", "scrum-partition"]);
  });

  test("docs/TEAM.md holds both files verbatim", () => {
    expect(team).toContain(ghFile.trimEnd());
    expect(team).toContain(glFile.trimEnd());
  });
});

describe("the workers recipe on a PostgreSQL KB (docs/TEAM.md)", () => {
  const file = readFileSync(resolve(ROOT, "examples/ci/github-scrum-workers.yml"), "utf8");
  const team = readFileSync(resolve(ROOT, "docs/TEAM.md"), "utf8");

  test("the GitHub workflow is valid (action-validator), takes its KB from a secret and names its group by the run", () => {
    expect(validateWorkflow(file).errors).toEqual([]);
    expect(file).toContain("SCRUM_KB: ${{ secrets.SCRUM_KB_URL }}");
    expect(file).toContain('--workers --iteration-group "sweep-${{ github.run_id }}-${{ github.run_attempt }}"');
  });

  test("docs/TEAM.md holds it verbatim", () => {
    expect(team).toContain(file.trimEnd());
  });
});

describe("the partitions-into-one-iteration recipe on a PostgreSQL KB (docs/TEAM.md)", () => {
  const file = readFileSync(resolve(ROOT, "examples/ci/github-scrum-partition-group.yml"), "utf8");
  const team = readFileSync(resolve(ROOT, "docs/TEAM.md"), "utf8");

  test("the GitHub workflow is valid (action-validator), takes its KB from a secret and names its group by the run, not the attempt", () => {
    expect(validateWorkflow(file).errors).toEqual([]);
    expect(file).toContain("SCRUM_KB: ${{ secrets.SCRUM_KB_URL }}");
    expect(file).toContain('--partition "${{ matrix.partition }}/${{ strategy.job-total }}" --iteration-group "sweep-${{ github.run_id }}"');
  });

  test("docs/TEAM.md holds it verbatim", () => {
    expect(team).toContain(file.trimEnd());
  });
});
