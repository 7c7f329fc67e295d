/** Request-Response scoring (contract §3): the probe a binding sends to prove which model serves. */
import { BES_API_VERSION } from "./bes";
import { HttpResponse, HttpSettings, joinUrl, send, withQuery } from "../transport";

export interface ProbeResult {
  ok: boolean;
  /** The emulator's `x-ms-azureml-model-location` / `-etag` headers; the real service sends neither. */
  location?: string;
  etag?: string;
  /** The first output row's `Scored Labels` and `Scored Probabilities`, when the response carries them (§3.4). */
  scoredLabel?: string;
  scoredProbability?: number;
}

/** The first scored row of an RRS answer, table form (`details=true`) or record form (contract §3.4). */
export function firstScoredRow(body: unknown): { scoredLabel?: string; scoredProbability?: number } {
  const results = (body as { Results?: Record<string, unknown> } | undefined)?.Results;
  const first = results ? Object.values(results)[0] : undefined;
  let row: Record<string, unknown> | undefined;
  if (Array.isArray(first)) row = first[0] as Record<string, unknown> | undefined;
  else if (first && typeof first === "object") {
    const value = (first as { value?: { ColumnNames?: string[]; Values?: unknown[][] } }).value;
    if (value?.ColumnNames && value.Values?.[0]) row = Object.fromEntries(value.ColumnNames.map((c, k) => [c, value.Values![0][k]]));
  }
  if (!row) return {};
  const label = row["Scored Labels"];
  const probability = Number(row["Scored Probabilities"]);
  return {
    ...(label === undefined || label === null ? {} : { scoredLabel: String(label) }),
    ...(row["Scored Probabilities"] === undefined || Number.isNaN(probability) ? {} : { scoredProbability: probability }),
  };
}

/**
 * One scoring request with one row (R1); scoring has no side effects, so it is retried like a read: `deadline`
 * (epoch ms, a verification's timeout) retries transient answers until then instead of a fixed number of times.
 */
export async function probeScoring(apiLocation: string, key: string, row: Record<string, unknown>, inputName: string, http?: HttpSettings, deadline?: number): Promise<ProbeResult> {
  const url = withQuery(joinUrl(apiLocation, "execute"), { "api-version": BES_API_VERSION, details: "true" });
  const res: HttpResponse = await send({
    surface: "rrs",
    method: "POST",
    url,
    bearer: key,
    retry: "idempotent",
    body: {
      Inputs: { [inputName]: { ColumnNames: Object.keys(row), Values: [Object.values(row).map((x) => (x === null ? null : String(x)))] } },
      GlobalParameters: {},
    },
    settings: http,
    deadline,
  });
  return {
    ok: true,
    location: res.headers["x-ms-azureml-model-location"],
    etag: res.headers["x-ms-azureml-model-etag"]?.replace(/^"|"$/g, ""),
    ...firstScoredRow(res.data),
  };
}
