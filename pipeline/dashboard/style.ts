/** The dashboard's stylesheet, inlined into the page (no external fonts or files: the page must work offline). */
export const DASHBOARD_CSS = `
:root { --fg:#0f172a; --muted:#64748b; --line:#e2e8f0; --bg:#f8fafc; --card:#fff; --warn:#b45309; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 16px 24px; background: #0f172a; color: #f8fafc; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header .meta { color: #cbd5e1; margin: 0; }
nav { display: flex; gap: 16px; padding: 8px 24px; background: #1e293b; }
nav a { color: #e2e8f0; text-decoration: none; }
main { padding: 8px 24px 40px; max-width: 1400px; }
section { margin-top: 20px; }
h2 { font-size: 18px; margin: 16px 0 4px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.count { color: var(--muted); font-weight: normal; margin-left: 4px; }
.meta, .note { color: var(--muted); margin: 4px 0; }
.empty { color: var(--muted); font-style: italic; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 14px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card h3 { margin: 0 0 4px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 0 0 4px; padding: 0; list-style: none; font-size: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.legend .latest { color: var(--muted); margin-left: 3px; }
svg.chart { width: 100%; height: auto; display: block; }
svg .grid { stroke: #eef2f7; }
svg .axis { stroke: #94a3b8; }
svg text { font-size: 12px; fill: #475569; font-family: inherit; }
svg .x-note { fill: #b91c1c; font-weight: 600; }
svg .line { fill: none; stroke-width: 2; }
svg .line.partial { stroke-dasharray: 4 3; }
svg .point { stroke-width: 1.6; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; min-width: 110px; display: flex; flex-direction: column; }
.tile-value { font-size: 22px; font-weight: 600; }
.tile-caption { color: var(--fg); }
.tile-detail { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; background: var(--card); border: 1px solid var(--line); margin: 4px 0; max-width: 100%; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #f1f5f9; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; max-width: 900px; }
td code { overflow-wrap: anywhere; }
td code.path { white-space: nowrap; overflow-wrap: normal; }
.table-wrap { overflow-x: auto; max-width: 100%; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; background: #e2e8f0; white-space: nowrap; }
.b-pass, .b-auto, .b-done, .b-low { background: #dcfce7; color: #166534; }
.b-needs_patch, .b-review, .b-medium, .b-running { background: #ffedd5; color: #9a3412; }
.b-fail, .b-block, .b-high, .b-aborted { background: #fee2e2; color: #991b1b; }
.b-unreviewed { background: #ede9fe; color: #5b21b6; }
.b-low { background: #dbeafe; color: #1e40af; }
.warn { color: var(--warn); font-weight: 600; }
.checks { padding-left: 20px; }
.checks li { margin: 2px 0; }
.check-warn::marker { content: "⚠ "; color: var(--warn); }
.check-ok::marker { content: "✓ "; color: #16a34a; }
.cols { display: flex; flex-wrap: wrap; gap: 24px; }
`;
