/** Batch Execution Service wire client (contract §2): submit, start, status, cancel, swagger. */
import { HttpResponse, HttpSettings, joinUrl, send, withQuery } from "../transport";

export const BES_API_VERSION = "2.0";

/** A training (or scoring) endpoint's BES base (`ApiLocation`, without `/jobs`) and its key. */
export interface BesEndpoint {
  apiLocation: string;
  apiKey: string;
  http?: HttpSettings;
}

const Q = { "api-version": BES_API_VERSION };

function jobsUrl(e: BesEndpoint, suffix = ""): string {
  return withQuery(joinUrl(joinUrl(e.apiLocation, "jobs"), suffix), Q);
}

/** B1 — submit a job; its id. Not idempotent: retried only when no response came back (§9.2). */
export async function submitJob(e: BesEndpoint, body: unknown): Promise<string> {
  const res = await send<unknown>({ surface: "bes", method: "POST", url: withQuery(joinUrl(e.apiLocation, "jobs"), Q), bearer: e.apiKey, retry: "no-response-only", body, settings: e.http });
  const jobId = String(res.data ?? "").replace(/^"|"$/g, "");
  if (!jobId) throw new Error("BES submit returned no job id");
  return jobId;
}

/** B2 — start a submitted job. */
export async function startJob(e: BesEndpoint, jobId: string): Promise<void> {
  await send({ surface: "bes", method: "POST", url: jobsUrl(e, `${encodeURIComponent(jobId)}/start`), bearer: e.apiKey, retry: "no-response-only", body: {}, settings: e.http });
}

/** B3 — a job's status body. */
export async function getJob(e: BesEndpoint, jobId: string): Promise<unknown> {
  return (await send({ surface: "bes", method: "GET", url: jobsUrl(e, encodeURIComponent(jobId)), bearer: e.apiKey, settings: e.http })).data;
}

/** B4 — cancel a job; 404 counts as done. */
export async function cancelJob(e: BesEndpoint, jobId: string): Promise<void> {
  await send({ surface: "bes", method: "DELETE", url: jobsUrl(e, encodeURIComponent(jobId)), bearer: e.apiKey, acceptStatus: [404], settings: e.http });
}

/** B5 — the service's swagger document (404/405 when it has none). */
export function getSwagger(e: BesEndpoint): Promise<HttpResponse> {
  return send({ surface: "bes", method: "GET", url: withQuery(joinUrl(e.apiLocation, "swagger.json"), Q), bearer: e.apiKey, acceptStatus: [404, 405], settings: e.http });
}

/** B3 of a made-up job id: 401 for a wrong key, 404 NotFound from a real BES location. */
export function getUnknownJob(e: BesEndpoint): Promise<HttpResponse> {
  return send({ surface: "bes", method: "GET", url: jobsUrl(e, "00000000000000000000000000000000"), bearer: e.apiKey, acceptStatus: [404], settings: e.http });
}
