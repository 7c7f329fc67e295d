/**
 * Azure ML pipeline-endpoint wire client (contract §5): submit (P1–P3), the run (P6), its history (P5) and cancel
 * (P7), under the workspace's regional API host, with an Azure AD bearer token. Bodies keep the contract's
 * PascalCase here and nowhere else.
 */
import { HttpSettings, prop, send } from "../transport";

export interface PipelineCoordinates {
  /** `https://{region}.api.azureml.ms` (no trailing slash). */
  apiBaseUrl: string;
  /** `/subscriptions/…/workspaces/{name}`. */
  workspaceArmId: string;
  token: string;
  http?: HttpSettings;
}

export type PipelineTarget = { pipelineEndpointId: string; pipelineVersion?: string } | { publishedPipelineId: string };

export interface PipelineSubmission {
  experimentName: string;
  parameterAssignments: Record<string, string | number>;
  description?: string;
}

function runsUrl(c: PipelineCoordinates): string {
  return `${c.apiBaseUrl}/pipelines/v1.0${c.workspaceArmId}/PipelineRuns`;
}

export function submitUrl(c: PipelineCoordinates, target: PipelineTarget): string {
  if ("publishedPipelineId" in target) return `${runsUrl(c)}/PipelineSubmit/${encodeURIComponent(target.publishedPipelineId)}`;
  const endpoint = `${runsUrl(c)}/PipelineEndpointSubmit/Id/${encodeURIComponent(target.pipelineEndpointId)}`;
  return target.pipelineVersion ? `${endpoint}/${encodeURIComponent(target.pipelineVersion)}` : endpoint;
}

/** Starts a run; returns its id. A submit starts work, so it is sent again only when no response came back. */
export async function submitPipelineRun(c: PipelineCoordinates, target: PipelineTarget, run: PipelineSubmission): Promise<string> {
  const res = await send({
    surface: "pipelines",
    method: "POST",
    url: submitUrl(c, target),
    bearer: c.token,
    retry: "no-response-only",
    body: { ExperimentName: run.experimentName, ParameterAssignments: run.parameterAssignments, Description: run.description, RunSource: "SDK" },
    settings: c.http,
  });
  const id = String(prop(res.data, "Id") ?? "");
  if (!id) throw new Error("the pipeline submit answer carried no run Id");
  return id;
}

/** The run's `Status` (P6): NotStarted … Completed, Failed, Canceled (one l). */
export async function getPipelineRunStatus(c: PipelineCoordinates, runId: string): Promise<string> {
  const res = await send({ surface: "pipelines", method: "GET", url: `${runsUrl(c)}/${encodeURIComponent(runId)}`, bearer: c.token, settings: c.http });
  return String(prop(res.data, "Status") ?? "");
}

/** Cancels a run (P7); cancelling twice is harmless, so it may be sent again. */
export async function cancelPipelineRun(c: PipelineCoordinates, runId: string): Promise<void> {
  await send({ surface: "pipelines", method: "POST", url: `${runsUrl(c)}/${encodeURIComponent(runId)}/Cancel`, bearer: c.token, retry: "idempotent", settings: c.http });
}

export interface RunHistory {
  /** Run history's error message of a failed run. */
  errorMessage?: string;
  /** `container/path` of the model, where run history names it (the emulator does; Azure does not). */
  modelLocation?: string;
}

/** The run's history entry (P5): its error and, where named, the model it wrote. */
export async function getRunHistory(c: PipelineCoordinates, experimentName: string, runId: string): Promise<RunHistory> {
  const url = `${c.apiBaseUrl}/history/v1.0${c.workspaceArmId}/experiments/${encodeURIComponent(experimentName)}/runs/${encodeURIComponent(runId)}`;
  const data = (await send({ surface: "pipelines", method: "GET", url, bearer: c.token, settings: c.http })).data;
  const message = prop(prop(prop(data, "error"), "error"), "message");
  const model = prop(prop(data, "outputs"), "model");
  return { ...(typeof message === "string" ? { errorMessage: message } : {}), ...(typeof model === "string" ? { modelLocation: model } : {}) };
}
