/**
 * The dashboard as a person sees it: three real offline iterations of examples/demo-repo, `scrum dashboard`, then the page
 * opened in Debian's Chromium through playwright-core. Seed 003: both UI bugs there were invisible until a real browser
 * rendered the page.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Database } from "bun:sqlite";
import type { BrowserContext, Page } from "playwright-core";
import { main } from "../../pipeline/cli/main";
import type { CommandContext, Io } from "../../pipeline/cli/context";
import { dashboardCommand } from "../../pipeline/cli/commands/dashboard";
import { DEMO_REPO, EXPECTED_VERDICTS } from "../e2e/demo-expected";

const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`tests/dashboard/browser.test.ts skipped: ${CHROMIUM} does not exist (install it: apt-get install -y chromium)`);

const CHART_IDS = ["state-findings", "state-verdicts", "findings", "verdicts", "tiers", "ladder", "evidence", "outcomes", "cost", "tokens", "probe-stub_markers"];

let dir = "";
let kbFile = "";
let pageFile = "";
let context: BrowserContext | undefined;
let page: Page;
const requests: string[] = [];
const consoleErrors: string[] = [];

function quietIo(): Io {
  return { out: () => {}, err: () => {}, errIsTty: false };
}

async function scrum(...argv: string[]): Promise<void> {
  const code = await main([...argv, "--kb", kbFile, "--config", join(dir, "routing.toml"), "--quiet"], {}, quietIo(), DEMO_REPO, new AbortController().signal);
  if (code !== 0) throw new Error(`scrum ${argv.join(" ")} exited ${code}`);
}

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  dir = mkdtempSync(join(tmpdir(), "scrum-dash-browser-"));
  kbFile = join(dir, "scrum.db");
  pageFile = join(dir, "scrum.html");
  // The static rung (its stub rules raised, as the demo's own config does) plus one probe, so the probe chart is exercised too.
  writeFileSync(
    join(dir, "routing.toml"),
    `[[ladder]]\nname = "static"\nprovider = "static"\n\n[static]\nraise = ["stub-macro", "stub-raise", "stub-throw", "duplicate-import-redeclared"]\n\n[[probe]]\nname = "stub_markers"\npattern = 'unimplemented!\\(\\)|NotImplementedError|not implemented'\n`,
  );
  await scrum("run", ".", "--offline", "--label", "iter-1");
  await scrum("note", "add", "src/auth.rs", "the stub at line 58 is reached from login()");
  await scrum("run", ".", "--offline", "--label", "iter-2");
  await scrum("run", "--from-flagged", "--offline", "--label", "iter-3");
  await scrum("note", "add", "src/report.py", "pick a PDF library");

  const ctx: CommandContext = { cwd: DEMO_REPO, env: {}, io: quietIo(), json: false, quiet: true, kbFlag: kbFile };
  if (dashboardCommand(ctx, { out: pageFile }) !== 0) throw new Error("scrum dashboard failed");

  const { chromium } = await import("playwright-core");
  context = await chromium.launchPersistentContext(join(dir, "chromium-profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1400, height: 900 },
  });
  page = await context.newPage();
  page.on("request", (r) => void requests.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => void consoleErrors.push(e.message));
  await page.goto(pathToFileURL(pageFile).href);
  // A full-page render must complete; the picture goes with the test's folder.
  await page.screenshot({ path: join(dir, "scrum-dashboard.png"), fullPage: true });
}, 30_000);

afterAll(async () => {
  await context?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The iterations that stored a value for a metric, as the chart labels them ("1", "2"); none for a series that is no metric. */
function metricIterations(name: string): string[] {
  const db = new Database(kbFile, { readonly: true });
  try {
    return (db.prepare(`SELECT iteration_id FROM metrics WHERE name = ? AND value IS NOT NULL ORDER BY iteration_id`).all(name) as { iteration_id: number }[]).map((r) => String(r.iteration_id));
  } finally {
    db.close();
  }
}

function kbCount(sql: string): number {
  const db = new Database(kbFile, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function cells(tableId: string): Promise<string[][]> {
  return page.locator(`table[data-table="${tableId}"] tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => (td.textContent ?? "").trim())));
}

// Skipped only when Debian's Chromium is missing; CI installs it (.ci/run).
const browserTest = test.skipIf(!HAVE_CHROMIUM);

describe("the dashboard in Chromium", () => {
  browserTest("loads only its own file: no network request, no script, no console error", async () => {
    expect(requests).toEqual([pathToFileURL(pageFile).href]);
    expect(consoleErrors).toEqual([]);
    expect(await page.locator("script").count()).toBe(0);
    expect(await page.title()).toBe("scrum dashboard");
  });

  browserTest("every trajectory chart has one point per iteration for each of its series", async () => {
    expect(await page.locator("svg.chart").evaluateAll((svgs) => svgs.map((s) => s.getAttribute("data-chart")))).toEqual(CHART_IDS);
    for (const id of CHART_IDS) {
      const chart = page.locator(`svg.chart[data-chart="${id}"]`);
      expect(await chart.isVisible()).toBe(true);
      const series = [...new Set(await chart.locator("circle.point").evaluateAll((cs) => cs.map((c) => c.getAttribute("data-series"))))];
      expect(series.length).toBeGreaterThan(0);
      for (const s of series) {
        const iterations = await chart.locator(`circle.point[data-series="${s}"]`).evaluateAll((cs) => cs.map((c) => c.getAttribute("data-iteration")));
        // A rate with nothing to divide (resolution_rate has no earlier state at #1) is stored as null, so not drawn.
        const stored = metricIterations(s!);
        const expected = stored.length > 0 ? stored : ["1", "2", "3"];
        expect(iterations, `${id}/${s}`).toEqual(expected);
      }
      expect(await chart.locator("text.x-label").allTextContents()).toEqual(["#1", "#2", "#3"]);
    }
    // The drawn value is the stored one: findings_total of each iteration.
    const stored = [1, 2, 3].map((id) => String(kbCount(`SELECT value AS n FROM metrics WHERE iteration_id = ${id} AND name = 'findings_total'`)));
    expect(await page.locator(`svg[data-chart="findings"] circle[data-series="findings_total"]`).evaluateAll((cs) => cs.map((c) => c.getAttribute("data-value")))).toEqual(stored);
    expect(await page.locator(`.card:has(svg[data-chart="findings"]) .legend`).textContent()).toContain(`findings_total${stored[2]}`);
  });

  browserTest("the flagged table lists EXPECTED.md's needs_patch files first, each with its verdict", async () => {
    const rows = await cells("flagged");
    const needsPatch = [...EXPECTED_VERDICTS].filter(([, v]) => v === "needs_patch").map(([p]) => p).sort();
    const head = rows.slice(0, needsPatch.length);
    expect(head.map((r) => r[8]).sort()).toEqual(needsPatch);
    expect(head.every((r) => r[1] === "needs_patch")).toBe(true);
    expect(rows.slice(needsPatch.length).every((r) => r[1] === "pass")).toBe(true);
    expect(await page.getByRole("heading", { name: /Latest iteration: 3 \(iter-3\)/ }).isVisible()).toBe(true);
  });

  browserTest("the KB health numbers are the KB's row counts", async () => {
    const rows = Object.fromEntries((await cells("rows")).map(([table, n]) => [table!, Number(n!.replace(/,/g, ""))]));
    for (const table of ["iterations", "file_reviews", "findings", "attempts", "metrics", "notes"]) {
      expect(rows[table], table).toBe(kbCount(`SELECT count(*) AS n FROM ${table}`));
    }
    const notes = Object.fromEntries((await cells("notes")).map(([status, n]) => [status!, Number(n)]));
    // The demo runs offline: no model saw a note, so none is picked up.
    expect(notes).toEqual({ open: 2, picked_up: 0, resolved: 0 });
    const byOutcome = (await cells("attempts-outcome"))[0]!;
    expect(Number(byOutcome[1])).toBe(kbCount(`SELECT count(*) AS n FROM attempts WHERE outcome = 'accepted'`));
    expect(await page.locator(`[data-tile="iterations_total"] .tile-value`).textContent()).toBe("3");
    // Problem findings only: the static rung's proof-of-life quotes (verified_components) are not claims to check.
    const problems = "FROM findings WHERE category <> 'verified_components'";
    const unverified = kbCount(`SELECT count(*) AS n ${problems} AND evidence_verified = 0`);
    expect(await page.locator(`[data-tile="evidence_unverified_share"] .tile-detail`).textContent()).toBe(`${unverified} of ${kbCount(`SELECT count(*) AS n ${problems}`)} problem finding rows`);
  });
});
