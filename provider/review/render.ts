/**
 * The Markdown form of a Review (the JSON form is the Review itself). The top fits one screen whatever the number
 * of targets: title, summary line, what blocks `up`, and at most a few refusals; every table folds in `<details>`,
 * open only while it is short. Targets that make the same change (same model old → new, same verdict, same write)
 * share one table row, and their names are listed once below it, so 1,000 targets stay far under 100 KB (issue 17).
 */
import { METRICS } from "./rows";
import type { DatasetVersion, MetricChange, ModelVersion, PromotionRow } from "./rows";
import type { Review } from "./review";

/** Tables with more rows than this start folded. */
export const OPEN_ROWS = 10;
/** Refusals listed above the fold; the rest are in the table. */
const TOP_REFUSALS = 5;

export function shortEtag(etag: string | undefined): string {
  if (!etag) return "";
  return etag.length > 10 ? `…${etag.slice(-8)}` : etag;
}

export function shortTime(iso: string | undefined): string {
  return iso ? iso.replace("T", " ").replace(/(:\d\d)\.\d+Z$/, "$1Z") : "";
}

/** Table cells: no pipes or line breaks from values. */
function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function model(m: ModelVersion | null | undefined): string {
  if (m === null) return "known after apply";
  if (!m) return "none";
  const details = [m.sha256 ? `sha256 ${m.sha256.slice(0, 12)}` : "", shortEtag(m.etag), shortTime(m.lastModified)].filter(Boolean).join(", ");
  return `\`${m.container}/${m.path}\`${details ? ` (${details})` : ""}`;
}

function num(n: number | undefined): string {
  return n === undefined ? "–" : String(Math.round(n * 1e4) / 1e4);
}

function metric(c: MetricChange): string {
  const delta = c.delta === undefined ? "" : ` (${c.delta >= 0 ? "+" : ""}${num(c.delta)})`;
  return `${c.metric} ${num(c.old)} → ${num(c.new)}${delta}`;
}

function gate(p: PromotionRow): string {
  const mark = { passed: "✅", overridden: "⚠️", failed: "❌", refused: "⛔", pending: "⏳", none: "" }[p.gate.status];
  return `${mark} ${p.gate.summary}`.trim();
}

function details(title: string, rows: number, body: string[]): string[] {
  return [`<details${rows <= OPEN_ROWS ? " open" : ""}><summary>${title}</summary>`, "", ...body, "", "</details>", ""];
}

function dataset(v: DatasetVersion | undefined): string {
  if (!v) return "–";
  return [shortEtag(v.etag), shortTime(v.lastModified)].filter(Boolean).join(", ") || "–";
}

/** Rows that make the same change, in first-seen order (rows arrive sorted by key). */
export function groupRows(rows: PromotionRow[]): PromotionRow[][] {
  const groups = new Map<string, PromotionRow[]>();
  for (const p of rows) {
    const id = JSON.stringify([model(p.current), p.proposed === undefined ? "" : model(p.proposed), p.gate.status, p.gate.summary, p.write, p.held ?? ""]);
    groups.set(id, [...(groups.get(id) ?? []), p]);
  }
  return [...groups.values()];
}

/** `census-wave-1`: classic endpoint ep1, classic endpoint ep2 — one line per resource. */
function targetList(rows: PromotionRow[]): string[] {
  const byResource = new Map<string, string[]>();
  for (const p of rows) byResource.set(p.resource, [...(byResource.get(p.resource) ?? []), p.target || p.key]);
  return [...byResource].map(([resource, targets]) => (targets.length === 1 && rows.length === 1 ? `\`${resource}\`` : `\`${resource}\` (${targets.length}): ${targets.map(cell).join(", ")}`));
}

function refusalsTop(refused: PromotionRow[], integrity: number, out: string[]): void {
  if (refused.length === 0) return;
  const promotions = (n: number) => (n === 1 ? "1 promotion" : `${n} promotions`);
  if (refused.length > integrity) out.push(`⛔ The gate refused ${promotions(refused.length - integrity)}: \`pulumi up\` fails until each is fixed or overridden (\`gate.override\`).`, "");
  // Issue 16: the blob no longer holds the declared bytes; no override applies, only a new review of the current bytes.
  if (integrity > 0) out.push(`⛔ ${promotions(integrity)} refused because the model blob does not hold the bytes declared: \`pulumi up\` writes nothing for them; re-pin or preview again to review the current bytes.`, "");
  const groups = groupRows(refused);
  for (const g of groups.slice(0, TOP_REFUSALS)) out.push(`- ${g.length === 1 ? `\`${g[0].resource}\`` : `${g.length} targets of ${[...new Set(g.map((p) => `\`${p.resource}\``))].join(", ")}`}: ${cell(g[0].gate.summary)}`);
  if (groups.length > TOP_REFUSALS) out.push(`- … and ${groups.length - TOP_REFUSALS} more refusals in the table below`);
  out.push("");
  // One diagnostic per refused resource: a wave's refusal is the same text for each of its targets.
  const diagnostics = [...new Map(refused.filter((p) => p.gate.diagnostic).map((p) => [p.resource, p])).values()];
  if (diagnostics.length > 0) {
    const body = diagnostics.flatMap((p) => [`\`${p.resource}\`:`, "", "```text", p.gate.diagnostic!, "```", ""]);
    out.push(...details(`Refusals in full (${diagnostics.length})`, diagnostics.length, body));
  }
}

/**
 * A small Mermaid chart (GitHub renders it in comments) of the metrics old → new of one change: bars for the
 * proposed model, a line for the current one. Only when both sides have at least two of the usual metrics.
 */
export function metricsChart(p: PromotionRow): string[] {
  const both = p.metrics.filter((m) => m.old !== undefined && m.new !== undefined && (METRICS as readonly string[]).includes(m.metric));
  if (both.length < 2) return [];
  const values = (side: "old" | "new") => both.map((m) => num(m[side])).join(", ");
  return [
    "```mermaid",
    "xychart-beta",
    `  title "proposed (bars) vs current (line)"`,
    `  x-axis [${both.map((m) => m.metric).join(", ")}]`,
    "  y-axis 0 --> 1",
    `  bar [${values("new")}]`,
    `  line [${values("old")}]`,
    "```",
  ];
}

function promotionTable(promotions: PromotionRow[], out: string[]): void {
  const groups = groupRows(promotions);
  const body = ["| target | current model | proposed model | metrics (old → new) | gate | write |", "|---|---|---|---|---|---|"];
  for (const g of groups) {
    const p = g[0];
    const who = g.length === 1 ? `\`${cell(p.key)}\`${p.target ? `<br>${cell(p.target)}` : ""}` : `**${g.length} targets** (listed below)`;
    const metrics = p.metrics.length > 0 ? p.metrics.map(metric).join("<br>") : "–";
    body.push(`| ${who} | ${cell(model(p.current))} | ${p.gate.status === "refused" && p.proposed === undefined ? "see the refusal" : cell(model(p.proposed))} | ${metrics} | ${cell(gate(p))} | ${p.held ? `none: ${cell(p.held)}` : p.write} |`);
  }
  const shared = groups.filter((g) => g.length > 1);
  if (shared.length > 0) {
    body.push("");
    for (const [k, g] of shared.entries()) body.push(`${k + 1}. ${g.length} targets, ${cell(model(g[0].current))} → ${cell(model(g[0].proposed))}:`, ...targetList(g).map((l) => `   - ${l}`));
  }
  const chart = groups.length === 1 ? metricsChart(groups[0][0]) : [];
  if (chart.length > 0) body.push("", ...chart);
  out.push(...details(`Promotions (${promotions.length})${groups.length < promotions.length ? `: ${groups.length} distinct ${groups.length === 1 ? "change" : "changes"}` : ""}`, groups.length, body));
}

export function renderMarkdown(r: Review): string {
  const out: string[] = [`## Promotion review: stack \`${r.stack}\``, "", `**${r.summary}**`, ""];
  refusalsTop(r.promotions.filter((p) => p.gate.status === "refused"), r.counts.refusedIntegrity ?? 0, out);
  if (r.errors.length > 0) {
    out.push("❌ The preview failed:", "", ...r.errors.map((e) => `- ${cell(e)}`), "");
  }
  if (r.promotions.length === 0 && r.trainings.length === 0 && r.other.length === 0 && r.preview === "succeeded") {
    out.push("No changes: `pulumi up` will write nothing.", "");
    return out.join("\n");
  }
  if (r.promotions.length > 0) promotionTable(r.promotions, out);
  if (r.trainings.length > 0) {
    const body = ["| training | dataset | dataset version (old → new) |", "|---|---|---|"];
    for (const t of r.trainings) {
      const where = t.previousDataset ? `\`${t.previousDataset}\` → \`${t.dataset}\`` : `\`${t.dataset}\``;
      body.push(`| \`${cell(t.resource)}\` (${t.type}, ${t.op}) | ${cell(where)} | ${dataset(t.old)} → ${dataset(t.new)} |`);
    }
    out.push(...details(`Trainings that will run (${r.trainings.length})`, r.trainings.length, body));
  }
  if (r.other.length > 0) {
    const body = r.other.map((o) => `- \`${o.resource}\` (${o.type}): ${o.op}${o.properties?.length ? ` (${o.properties.join(", ")})` : ""}`);
    out.push(...details(`Other changes (${r.other.length})`, r.other.length, body));
  }
  return out.join("\n");
}
