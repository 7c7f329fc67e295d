/** Request-Response scoring (contract §3): the probe a binding sends to prove which model serves. */
import { BES_API_VERSION } from "./bes";
import { HttpResponse, HttpSettings, joinUrl, send, withQuery } from "../transport";

export interface ProbeResult {
  ok: boolean;
  /** The emulator's `x-ms-azureml-model-location` / `-etag` headers; the real service sends neither. */
  location?: string;
  etag?: string;
}

/** One scoring request with one row (R1); scoring has no side effects, so it is retried like a read. */
export async function probeScoring(apiLocation: string, key: string, row: Record<string, unknown>, inputName: string, http?: HttpSettings): Promise<ProbeResult> {
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
  });
  return { ok: true, location: res.headers["x-ms-azureml-model-location"], etag: res.headers["x-ms-azureml-model-etag"]?.replace(/^"|"$/g, "") };
}
