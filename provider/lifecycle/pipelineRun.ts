/**
 * PipelineRun — one run of a designer pipeline published to a pipeline endpoint (contract §5): the data-path
 * parameter is set to the dataset blob, the run is submitted and awaited, and the model it wrote becomes a
 * ModelBlobRef that TrainedModelBinding serves. Runs again only when the dataset's identity or the parameters
 * change; the dataset's identity is an input, so preview shows it old → new (as RetrainingRun does).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { HttpSettings } from "../transport";
import { BlobIdentity, ModelMetrics, StorageAccess, splitRelativeLocation } from "../clients/storage";
import { PipelineCoordinates, PipelineTarget, cancelPipelineRun, getPipelineRunStatus, getRunHistory, submitPipelineRun } from "../clients/pipelines";
import { failure } from "../errors";
import {
  InputFailure,
  ModelBlobRef,
  changedFields,
  checkContainer,
  checkHttp,
  checkPositive,
  checkRequired,
  checkUrl,
  isKnown,
  isUnknown,
  toCheckFailures,
  trimSlash,
  withoutUndefined,
} from "../validation";
import { CredentialConfig, withCredentials } from "./credentials";
import { DatasetSeen, datasetIdentity, datasetSeen, failuresText, identityFromSeen, readTrainedModel } from "./runOutputs";
import type { BlobLocation } from "./runOutputs";

const TYPE = "PipelineRun";
const WORKSPACE_ARM_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+$/i;
/** Terminal statuses of an Azure ML run (contract §5.4); `Canceled` has one l here, unlike BES. */
const TERMINAL = ["Completed", "Failed", "Canceled"];

export type PipelineParameterValue = string | number;

export interface PipelineRunInputs {
  resourceName: string;
  credentialConfig?: CredentialConfig;
  /** Regional API host, `https://{region}.api.azureml.ms` (the emulator's `pipelines.baseUrl`). */
  apiBaseUrl: string;
  /** `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}`. */
  workspaceArmId: string;
  pipelineEndpointId?: string;
  /** A version of the pipeline endpoint; default its default version. */
  pipelineVersion?: string;
  /** Instead of pipelineEndpointId: one published pipeline. */
  publishedPipelineId?: string;
  experimentName: string;
  /** The pipeline parameter that receives `input.path`. */
  dataPathParameter: string;
  parameterAssignments?: Record<string, PipelineParameterValue>;
  input: BlobLocation;
  /** The dataset blob as check saw it: an input so that preview shows why the pipeline runs again. */
  inputBlob?: DatasetSeen;
  /** Where the pipeline writes its model; `{runId}` in the path is replaced. Default: what run history reports. */
  modelOutput?: BlobLocation;
  armToken: string;
  storageAccountName: string;
  storageBlobEndpoint?: string;
  storageAccountKey?: string;
  timeoutMinutes?: number;
  pollIntervalSeconds?: number;
  http?: HttpSettings;
}

export interface PipelineRunState extends PipelineRunInputs {
  runId: string;
  status: string;
  inputIdentity: BlobIdentity;
  model: ModelBlobRef;
  evaluation?: BlobLocation;
  metrics?: ModelMetrics;
  startedAt: string;
  finishedAt: string;
}

export function checkPipelineRun(news: Partial<PipelineRunInputs>): { inputs: PipelineRunInputs; failures: InputFailure[] } {
  const out: InputFailure[] = [];
  const i = { ...news } as PipelineRunInputs;
  if (checkRequired(out, "apiBaseUrl", i.apiBaseUrl, "Give the workspace's regional API host, e.g. https://westeurope.api.azureml.ms")) {
    checkUrl(out, "apiBaseUrl", i.apiBaseUrl);
    if (typeof i.apiBaseUrl === "string" && !isUnknown(i.apiBaseUrl)) i.apiBaseUrl = trimSlash(i.apiBaseUrl);
  }
  if (checkRequired(out, "workspaceArmId", i.workspaceArmId, "Give the workspace's ARM id") && !isUnknown(i.workspaceArmId)) {
    if (typeof i.workspaceArmId !== "string" || !WORKSPACE_ARM_ID.test(i.workspaceArmId)) {
      out.push({
        property: "workspaceArmId",
        reason: `workspaceArmId ${JSON.stringify(i.workspaceArmId)} is not a workspace ARM id`,
        fix: "Give /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{name}",
      });
    }
  }
  const hasEndpoint = !!i.pipelineEndpointId;
  const hasPublished = !!i.publishedPipelineId;
  if (hasEndpoint === hasPublished) {
    out.push({
      property: hasEndpoint ? "publishedPipelineId" : "pipelineEndpointId",
      reason: hasEndpoint ? "both pipelineEndpointId and publishedPipelineId are given" : "no pipeline to run",
      fix: "Give exactly one of pipelineEndpointId (with an optional pipelineVersion) or publishedPipelineId",
    });
  }
  if (i.pipelineVersion !== undefined && hasPublished) {
    out.push({ property: "pipelineVersion", reason: "pipelineVersion applies to a pipeline endpoint only", fix: "Drop pipelineVersion, or use pipelineEndpointId" });
  }
  checkRequired(out, "experimentName", i.experimentName, "Name the experiment the run is recorded under");
  checkRequired(out, "dataPathParameter", i.dataPathParameter, "Name the pipeline parameter that takes the dataset's path (the designer's data-path parameter)");
  if (!isUnknown(i.input)) {
    if (!i.input || typeof i.input !== "object") out.push({ property: "input", reason: "input is required", fix: "Give the dataset blob as { container, path }" });
    else {
      checkContainer(out, "input.container", i.input.container);
      checkRequired(out, "input.path", i.input.path, "Give the dataset's path inside the container (e.g. census/2024-05.csv)");
    }
  }
  const params = i.parameterAssignments;
  if (params && !isUnknown(params)) {
    for (const [k, v] of Object.entries(params)) {
      if (!isUnknown(v) && typeof v !== "string" && typeof v !== "number") {
        out.push({ property: `parameterAssignments.${k}`, reason: `parameterAssignments.${k} is not a string or number`, fix: "Give scalar values (contract §5.3)" });
      }
    }
    if (typeof i.dataPathParameter === "string" && i.dataPathParameter in params) {
      out.push({ property: `parameterAssignments.${i.dataPathParameter}`, reason: "the data-path parameter is set twice", fix: "Leave it out of parameterAssignments: it is set from input.path" });
    }
  }
  if (i.modelOutput && !isUnknown(i.modelOutput)) {
    checkContainer(out, "modelOutput.container", i.modelOutput.container);
    checkRequired(out, "modelOutput.path", i.modelOutput.path, "Give the model's path, e.g. census/{runId}/model.ilearner");
  }
  checkRequired(out, "armToken", i.armToken, "Pass an Azure AD access token for https://management.azure.com/ as a secret");
  checkRequired(out, "storageAccountName", i.storageAccountName, "Give the storage account that holds the dataset and the model");
  checkUrl(out, "storageBlobEndpoint", i.storageBlobEndpoint);
  checkRequired(out, "storageAccountKey", i.storageAccountKey, "Pass storageAccountKey as a secret (read access to the dataset and model)");
  checkPositive(out, "timeoutMinutes", i.timeoutMinutes, 24 * 60);
  checkPositive(out, "pollIntervalSeconds", i.pollIntervalSeconds, 600);
  checkHttp(out, i.http);
  return { inputs: i, failures: out };
}

const RUN_DEFINING: ReadonlyArray<keyof PipelineRunInputs> = [
  "input", "parameterAssignments", "dataPathParameter", "pipelineEndpointId", "pipelineVersion", "publishedPipelineId", "experimentName", "workspaceArmId",
];

/** Pure: `rerun` when the pipeline, its parameters, the dataset location or the dataset's identity changed. */
export function diffPipelineRun(olds: Partial<PipelineRunState>, news: PipelineRunInputs, current?: BlobIdentity): { changes: boolean; replaces: string[]; rerun: boolean } {
  const defining = changedFields(olds, news, RUN_DEFINING).length > 0;
  const previous = olds.inputIdentity;
  const identityChanged = !!current && (current.etag !== previous?.etag || (current.contentMd5 ?? "") !== (previous?.contentMd5 ?? ""));
  const rerun = defining || identityChanged;
  const other = changedFields(olds, news, ["apiBaseUrl", "modelOutput", "storageAccountName", "storageBlobEndpoint", "timeoutMinutes", "pollIntervalSeconds", "http"]);
  return { changes: rerun || other.length > 0, replaces: [], rerun };
}

function storageOf(i: PipelineRunInputs): StorageAccess {
  return { accountName: i.storageAccountName, blobEndpoint: i.storageBlobEndpoint, accountKey: i.storageAccountKey, http: i.http };
}

function secretsOf(i: Partial<PipelineRunInputs>): string[] {
  return [i.armToken, i.storageAccountKey].filter((x): x is string => typeof x === "string");
}

function coordinatesOf(i: PipelineRunInputs): PipelineCoordinates {
  return { apiBaseUrl: i.apiBaseUrl, workspaceArmId: i.workspaceArmId, token: i.armToken, http: i.http };
}

function targetOf(i: PipelineRunInputs): PipelineTarget {
  return i.publishedPipelineId ? { publishedPipelineId: i.publishedPipelineId } : { pipelineEndpointId: i.pipelineEndpointId!, pipelineVersion: i.pipelineVersion };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Submits the run, waits for a terminal status (cancelling on timeout) and reads the model it wrote. */
async function runPipeline(i: PipelineRunInputs): Promise<Omit<PipelineRunState, keyof PipelineRunInputs>> {
  const name = i.resourceName;
  const secrets = secretsOf(i);
  const dataset = await datasetIdentity(storageOf(i), i.input, TYPE, name, secrets);
  if (!dataset.identity) throw new Error(failuresText(TYPE, name, dataset.failures));
  const startedAt = new Date().toISOString();
  const service = coordinatesOf(i);
  let runId: string;
  try {
    runId = await submitPipelineRun(service, targetOf(i), {
      experimentName: i.experimentName,
      parameterAssignments: { ...(i.parameterAssignments ?? {}), [i.dataPathParameter]: i.input.path },
      description: `${TYPE} ${name} on ${i.input.container}/${i.input.path}`,
    });
  } catch (err) {
    throw failure(TYPE, name, "submit pipeline run", err, undefined, secrets);
  }
  const deadline = Date.now() + (i.timeoutMinutes ?? 60) * 60_000;
  let status = "";
  for (;;) {
    try {
      status = await getPipelineRunStatus(service, runId);
    } catch (err) {
      throw failure(TYPE, name, `get pipeline run ${runId}`, err, undefined, secrets);
    }
    if (TERMINAL.includes(status)) break;
    if (Date.now() > deadline) {
      const late = `${TYPE} "${name}": pipeline run ${runId} did not finish within ${i.timeoutMinutes ?? 60} minutes (last status ${status})`;
      try {
        await cancelPipelineRun(service, runId);
      } catch (err) {
        throw failure(TYPE, name, `cancel pipeline run ${runId} after ${i.timeoutMinutes ?? 60} minutes`, err, "Cancel the run in the studio", secrets);
      }
      throw new Error(`${late}; it was cancelled. Raise timeoutMinutes or check the pipeline.`);
    }
    await sleep((i.pollIntervalSeconds ?? 5) * 1000);
  }
  let history;
  try {
    history = await getRunHistory(service, i.experimentName, runId);
  } catch (err) {
    throw failure(TYPE, name, `read run history of ${runId}`, err, undefined, secrets);
  }
  if (status !== "Completed") {
    const details = history.errorMessage ?? "no details";
    throw new Error(`${TYPE} "${name}": pipeline run ${runId} ${status === "Failed" ? "failed" : "was canceled"}: ${details}. Fix the dataset or the parameters and run up again; the bound model is unchanged.`);
  }
  const location = i.modelOutput
    ? { container: i.modelOutput.container, path: i.modelOutput.path.replace(/\{runId\}/g, runId) }
    : history.modelLocation ? splitRelativeLocation(history.modelLocation) : undefined;
  if (!location) {
    throw new Error(`${TYPE} "${name}": pipeline run ${runId} completed but run history names no model output. Set modelOutput to where the pipeline writes its model.`);
  }
  const trained = await readTrainedModel(storageOf(i), location, {
    type: TYPE, name, run: `pipeline run ${runId}`, secrets, missingModelFix: "Set modelOutput to where the pipeline's model output writes",
  });
  return { runId, status, inputIdentity: dataset.identity, ...trained, startedAt, finishedAt: new Date().toISOString() };
}


/** Checked by the stub in resources/: raised when the calls it forwards change shape. */
export const API_VERSION = 1;

const lifecycle: pulumi.dynamic.ResourceProvider<PipelineRunInputs, PipelineRunState> = {
  async check(_olds, news) {
    const { inputs, failures } = checkPipelineRun(news);
    // One storage read validates the dataset before any write and records its identity, so diff needs none.
    if (failures.length === 0 && isKnown([inputs.input, inputs.storageAccountName, inputs.storageBlobEndpoint, inputs.storageAccountKey])) {
      const seen = await datasetIdentity(storageOf(inputs), inputs.input, TYPE, inputs.resourceName, secretsOf(inputs));
      failures.push(...seen.failures);
      if (seen.identity) inputs.inputBlob = datasetSeen(seen.identity);
    }
    return { inputs, failures: toCheckFailures(failures) };
  },

  async diff(_id, olds, news) {
    const { rerun: _rerun, ...result } = diffPipelineRun(olds, news, identityFromSeen(news.input, news.inputBlob));
    return result;
  },

  async create(inputs) {
    const run = await runPipeline(inputs);
    return { id: run.runId, outs: withoutUndefined({ ...inputs, ...run }) };
  },

  async read(id, props) {
    // A run is history: refresh keeps it as recorded.
    return { id, props, inputs: props };
  },

  async update(_id, olds, news) {
    const { rerun } = diffPipelineRun(olds, news, identityFromSeen(news.input, news.inputBlob));
    if (!rerun) {
      const { runId, status, inputIdentity, model, evaluation, metrics, startedAt, finishedAt } = olds;
      return { outs: withoutUndefined({ ...news, runId, status, inputIdentity, model, evaluation, metrics, startedAt, finishedAt }) };
    }
    return { outs: withoutUndefined({ ...news, ...(await runPipeline(news)) }) };
  },

  async delete() {
    // The trained model stays in storage: a binding may still serve it.
  },
};

/** What the stub forwards to: the lifecycle with the current stack config's credentials applied. */
export const provider = withCredentials(lifecycle);

