/**
 * Verification rows checked against the scoring input's columns at preview (issue 18). A row that lacks columns
 * used to pass preview and fail only after the write (the probe's scoring request is refused), costing a write and
 * a rollback. The service's own swagger (contract §2.6, B5: `{ApiLocation}/swagger.json`, read with the scoring
 * key) lists the input's columns; a binding whose apiLocation and key are known reads it once and names what a row
 * lacks or has in excess. When the document cannot be read, preview does not guess: the probe decides at apply.
 */
import { BES_API_VERSION } from "../clients/bes";
import { joinUrl, send, withQuery } from "../transport";
import type { TrainedModelBindingInputs } from "../targets/target";
import { InputFailure, isKnown } from "../validation";

/** The column names of scoring input `inputName` in a service swagger, or undefined when it does not say. */
export function inputColumns(swagger: unknown, inputName: string): string[] | undefined {
  const inputs = (swagger as { definitions?: { ExecutionRequest?: { properties?: { Inputs?: { properties?: Record<string, unknown> } } } } })?.definitions
    ?.ExecutionRequest?.properties?.Inputs?.properties?.[inputName] as { items?: { properties?: Record<string, unknown> } } | undefined;
  const props = inputs?.items?.properties;
  return props && typeof props === "object" ? Object.keys(props) : undefined;
}

/** What each row lacks or adds against `columns`, as check failures. */
export function rowFailures(rows: Array<{ property: string; row: Record<string, unknown> }>, columns: string[], inputName: string): InputFailure[] {
  const out: InputFailure[] = [];
  for (const { property, row } of rows) {
    const missing = columns.filter((c) => !(c in row));
    const extra = Object.keys(row).filter((c) => !columns.includes(c));
    if (missing.length === 0 && extra.length === 0) continue;
    const parts = [
      ...(missing.length ? [`lacks ${missing.length} column${missing.length === 1 ? "" : "s"} of scoring input ${inputName} (${missing.join(", ")})`] : []),
      ...(extra.length ? [`has column${extra.length === 1 ? "" : "s"} the input does not take (${extra.join(", ")})`] : []),
    ];
    out.push({ property, reason: `${property} ${parts.join(" and ")}`, fix: `Nothing was written. Give every column of the input, as the service's swagger lists them: ${columns.join(", ")}` });
  }
  return out;
}

/** Preview: the binding's sampleRow and samples against the scoring input (one read; none without rows). */
export async function sampleSchemaFailures(i: TrainedModelBindingInputs): Promise<InputFailure[]> {
  const v = i.verification;
  const key = i.endpointKey ?? i.scoringKey;
  if (!v || !isKnown(v) || !i.apiLocation || !isKnown([i.apiLocation, key]) || !key) return [];
  const rows = [
    ...(v.sampleRow ? [{ property: "verification.sampleRow", row: v.sampleRow }] : []),
    ...(v.samples ?? []).map((s, k) => ({ property: `verification.samples[${k}].row`, row: s.row })),
  ];
  if (rows.length === 0) return [];
  const inputName = v.inputName ?? "input1";
  const swagger = await send({
    surface: "rrs",
    method: "GET",
    url: withQuery(joinUrl(i.apiLocation, "swagger.json"), { "api-version": BES_API_VERSION }),
    bearer: key,
    settings: i.http,
  }).then((r) => r.data, () => undefined);
  const columns = inputColumns(swagger, inputName);
  return columns ? rowFailures(rows, columns, inputName) : [];
}
