/**
 * RetrainingRun — one BES job on a training service (contract §2, §8.1 steps 2–3). Runs again only when the input
 * blob's identity or the global parameters change; outputs the new model blob and its evaluation metrics.
 */
import { CredentialConfig, withCredentials } from "./credentials";
import type * as pulumi from "@pulumi/pulumi";
import type { TrainingServiceInputs } from "./trainingService";
import { cancelJob, getJob, startJob, submitJob } from "../clients/bes";
import { HttpSettings, prop } from "../transport";
import { BlobIdentity, ModelMetrics, StorageAccess, UserDelegationKey, blobEndpointOf, connectionString, mintSas, splitRelativeLocation } from "../clients/storage";
import { failure } from "../errors";
import { BlobLocation, DatasetSeen, datasetIdentity, datasetSeen, failuresText, identityFromSeen, readTrainedModel } from "./runOutputs";
import {
  checkDelegationKey,
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

const TYPE = "RetrainingRun";

export type { BlobLocation } from "./runOutputs";

export type GlobalParameterValue = string | number | boolean;


/** The service coordinates are TrainingService's own (resolved from it, or given by hand). */
export interface RetrainingRunInputs
  extends Pick<TrainingServiceInputs, "resourceName" | "apiLocation" | "apiKey" | "inputName" | "modelOutputName" | "evaluationOutputName"> {
  /** Credential field → stack config key; read, refresh and delete use the current value (credentials.ts). */
  credentialConfig?: CredentialConfig;
  input: BlobLocation;
  inputEtag?: string;
  /**
   * The dataset blob as `check` saw it (set by the provider when no inputEtag is given). It is an input so that a
   * preview after new data lands shows `inputBlob.etag` old → new: the reason the run will train again.
   */
  inputBlob?: DatasetSeen;
  globalParameters?: Record<string, GlobalParameterValue>;
  outputContainer: string;
  outputPrefix: string;
  storageAccountName: string;
  storageBlobEndpoint?: string;
  storageAccountKey?: string;
  storageUserDelegationKey?: UserDelegationKey;
  timeoutMinutes?: number;
  pollIntervalSeconds?: number;
  http?: HttpSettings;
}

export interface RetrainingRunState extends RetrainingRunInputs {
  jobId: string;
  /** Identity of the dataset the job trained on. */
  inputIdentity: BlobIdentity;
  /** The trained model — pass to TrainedModelBinding's `model`. */
  model: ModelBlobRef;
  /** Where the evaluation CSV was written. */
  evaluation?: BlobLocation;
  metrics?: ModelMetrics;
  startedAt: string;
  finishedAt: string;
}

/** BES StatusCode may be a name or 0–4 (contract §2.4). */
export function statusName(code: unknown): string {
  const names = ["NotStarted", "Running", "Failed", "Cancelled", "Finished"];
  if (typeof code === "number") return names[code] ?? String(code);
  return String(code ?? "");
}

export function checkRetrainingRun(news: Partial<RetrainingRunInputs>): { inputs: RetrainingRunInputs; failures: InputFailure[] } {
  const out: InputFailure[] = [];
  const i = { ...news } as RetrainingRunInputs;
  if (checkRequired(out, "apiLocation", i.apiLocation, "Give trainingService, or apiLocation and apiKey")) {
    checkUrl(out, "apiLocation", i.apiLocation);
    if (typeof i.apiLocation === "string" && !isUnknown(i.apiLocation)) i.apiLocation = trimSlash(i.apiLocation);
  }
  checkRequired(out, "apiKey", i.apiKey, "Give trainingService, or pass apiKey as a secret");
  i.inputName = i.inputName ?? "input1";
  i.modelOutputName = i.modelOutputName ?? "output1";
  i.evaluationOutputName = i.evaluationOutputName ?? "output2";
  i.outputPrefix = (i.outputPrefix ?? `runs/${i.resourceName ?? "run"}`).replace(/^\/+|\/+$/g, "");
  if (!isUnknown(i.input)) {
    if (!i.input || typeof i.input !== "object") out.push({ property: "input", reason: "input is required", fix: "Give the training dataset blob as { container, path }" });
    else {
      checkContainer(out, "input.container", i.input.container);
      checkRequired(out, "input.path", i.input.path, "Give the dataset's path inside the container (e.g. census/2024-05.csv)");
    }
  }
  checkContainer(out, "outputContainer", i.outputContainer);
  checkRequired(out, "storageAccountName", i.storageAccountName, "Give the storage account for input and outputs");
  checkUrl(out, "storageBlobEndpoint", i.storageBlobEndpoint);
  if (!isUnknown(i.storageAccountKey) && !isUnknown(i.storageUserDelegationKey) && !i.storageAccountKey && !i.storageUserDelegationKey) {
    out.push({ property: "storageAccountKey", reason: "no storage credential", fix: "Pass storageAccountKey (or storageUserDelegationKey) as a secret" });
  }
  // Blob references are SAS minted for the whole run plus 30 minutes (blobRef below).
  if (!i.storageAccountKey) checkDelegationKey(out, "storageUserDelegationKey", i.storageUserDelegationKey, (typeof i.timeoutMinutes === "number" ? i.timeoutMinutes : 60) + 30);
  const gp = i.globalParameters;
  if (gp && !isUnknown(gp)) {
    for (const [k, v] of Object.entries(gp)) {
      if (!isUnknown(v) && !["string", "number", "boolean"].includes(typeof v)) {
        out.push({ property: `globalParameters.${k}`, reason: `globalParameters.${k} is not a string, number or boolean`, fix: "Give scalar values (contract §2.2)" });
      }
    }
  }
  checkPositive(out, "timeoutMinutes", i.timeoutMinutes, 24 * 60);
  checkPositive(out, "pollIntervalSeconds", i.pollIntervalSeconds, 600);
  checkHttp(out, i.http);
  return { inputs: i, failures: out };
}

/**
 * Pure part of the diff: `rerun` when the dataset location, its declared etag or the parameters changed.
 * When no inputEtag is declared, the provider compares `currentInput` (one storage read) with the state.
 */
export function diffRetrainingRun(
  olds: Partial<RetrainingRunState>,
  news: RetrainingRunInputs,
  currentInput?: BlobIdentity,
): { changes: boolean; replaces: string[]; rerun: boolean } {
  const locationOrParams = changedFields(olds, news, ["input", "globalParameters", "inputName", "modelOutputName", "evaluationOutputName"]).length > 0;
  const oldId = olds.inputIdentity;
  let identityChanged = false;
  if (news.inputEtag !== undefined) identityChanged = isUnknown(news.inputEtag) || news.inputEtag !== oldId?.etag;
  else if (currentInput) identityChanged = currentInput.etag !== oldId?.etag || (currentInput.contentMd5 ?? "") !== (oldId?.contentMd5 ?? "");
  const rerun = locationOrParams || identityChanged;
  const other = changedFields(olds, news, ["apiLocation", "outputContainer", "outputPrefix", "storageAccountName", "storageBlobEndpoint", "timeoutMinutes", "pollIntervalSeconds", "http"]);
  return { changes: rerun || other.length > 0, replaces: [], rerun };
}

function storageOf(i: RetrainingRunInputs): StorageAccess {
  return { accountName: i.storageAccountName, blobEndpoint: i.storageBlobEndpoint, accountKey: i.storageAccountKey, userDelegationKey: i.storageUserDelegationKey, http: i.http };
}

function nameOf(i: Partial<RetrainingRunInputs>): string {
  return i.resourceName ?? "run";
}

function secretsOf(i: Partial<RetrainingRunInputs>): string[] {
  return [i.apiKey, i.storageAccountKey, i.storageUserDelegationKey?.value].filter((x): x is string => typeof x === "string");
}

function inputIdentity(i: RetrainingRunInputs): Promise<{ identity?: BlobIdentity; failures: InputFailure[] }> {
  return datasetIdentity(storageOf(i), i.input, TYPE, nameOf(i), secretsOf(i));
}

/** A BES blob reference (contract §2.2): connection-string form with an account key, SAS form otherwise. */
function blobRef(i: RetrainingRunInputs, container: string, path: string, permissions: string): Record<string, string> {
  const relative = `${container}/${path}`;
  const access = storageOf(i);
  if (i.storageAccountKey) return { ConnectionString: connectionString(access), RelativeLocation: relative };
  const sas = mintSas({ access, container, path, permissions, lifetimeMinutes: (i.timeoutMinutes ?? 60) + 30 });
  return { BaseLocation: blobEndpointOf(access), RelativeLocation: relative, SasBlobToken: sas };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Submits, starts and waits for one job; reads the model's identity and the evaluation. */
async function runJob(i: RetrainingRunInputs): Promise<Omit<RetrainingRunState, keyof RetrainingRunInputs>> {
  const name = nameOf(i);
  const secrets = secretsOf(i);
  const pre = await inputIdentity(i);
  if (!pre.identity) throw new Error(failuresText(TYPE, name, pre.failures));
  const startedAt = new Date().toISOString();
  const stamp = startedAt.replace(/[:.]/g, "-");
  const modelPath = `${i.outputPrefix}/${stamp}/model.ilearner`;
  const evalPath = `${i.outputPrefix}/${stamp}/evaluation.csv`;
  const bes = { apiLocation: i.apiLocation, apiKey: i.apiKey, http: i.http };
  let jobId: string;
  try {
    // Submit is not idempotent: an orphan NotStarted job after a lost answer is accepted (§9.2).
    jobId = await submitJob(bes, {
      Inputs: { [i.inputName]: blobRef(i, i.input.container, i.input.path, "r") },
      Outputs: {
        [i.modelOutputName]: blobRef(i, i.outputContainer, modelPath, "rcw"),
        [i.evaluationOutputName]: blobRef(i, i.outputContainer, evalPath, "rcw"),
      },
      GlobalParameters: i.globalParameters ?? {},
    });
  } catch (err) {
    throw failure(TYPE, name, "submit training job (BES)", err, undefined, secrets);
  }
  try {
    await startJob(bes, jobId);
  } catch (err) {
    throw failure(TYPE, name, `start training job ${jobId}`, err, undefined, secrets);
  }
  const deadline = Date.now() + (i.timeoutMinutes ?? 60) * 60_000;
  let status: unknown;
  for (;;) {
    try {
      status = await getJob(bes, jobId);
    } catch (err) {
      throw failure(TYPE, name, `get training job ${jobId} status`, err, undefined, secrets);
    }
    const s = statusName(prop(status, "StatusCode"));
    if (s === "Finished") break;
    if (s === "Failed" || s === "Cancelled") {
      const details = String(prop(status, "Details") ?? "no details");
      throw new Error(`${TYPE} "${name}": training job ${jobId} ${s === "Failed" ? "failed" : "was cancelled"}: ${details}. Fix the dataset or the global parameters and run up again; the bound model is unchanged.`);
    }
    if (Date.now() > deadline) {
      await cancelJob(bes, jobId).catch(() => undefined);
      throw new Error(`${TYPE} "${name}": training job ${jobId} did not finish within ${i.timeoutMinutes ?? 60} minutes (last status ${s}); it was cancelled. Raise timeoutMinutes or check the service.`);
    }
    await sleep((i.pollIntervalSeconds ?? 5) * 1000);
  }
  const results = prop<Record<string, unknown>>(status, "Results") ?? {};
  const modelLoc = splitRelativeLocation(String(prop(prop(results, i.modelOutputName), "RelativeLocation") ?? `${i.outputContainer}/${modelPath}`));
  const evalLoc = splitRelativeLocation(String(prop(prop(results, i.evaluationOutputName), "RelativeLocation") ?? `${i.outputContainer}/${evalPath}`));
  const trained = await readTrainedModel(storageOf(i), modelLoc, {
    type: TYPE, name, run: `training job ${jobId}`, secrets, missingModelFix: "Check modelOutputName against the service's outputs",
  }, evalLoc);
  return { jobId, inputIdentity: pre.identity, ...trained, startedAt, finishedAt: new Date().toISOString() };
}


/** Checked by the stub in resources/: raised when the calls it forwards change shape. */
export const API_VERSION = 1;

const lifecycle: pulumi.dynamic.ResourceProvider<RetrainingRunInputs, RetrainingRunState> = {
  async check(olds, news) {
    const { inputs, failures } = checkRetrainingRun(news);
    const isNew = !olds || Object.keys(olds).filter((k) => k !== "__provider").length === 0;
    const storageKnown = isKnown([inputs.input, inputs.storageAccountName, inputs.storageBlobEndpoint, inputs.storageAccountKey, inputs.storageUserDelegationKey]);
    // The run's one storage read: it validates the dataset (zero writes) and records its identity as an input, so
    // diff needs no read and the preview shows what changed.
    if (failures.length === 0 && storageKnown && (isNew || inputs.inputEtag === undefined)) {
      const seen = await inputIdentity(inputs);
      failures.push(...seen.failures);
      if (seen.identity && inputs.inputEtag === undefined) inputs.inputBlob = datasetSeen(seen.identity);
    }
    return { inputs, failures: toCheckFailures(failures) };
  },

  async diff(_id, olds, news) {
    let current: BlobIdentity | undefined = identityFromSeen(news.input, news.inputBlob);
    // Inputs checked by an older provider version carry no inputBlob: read the dataset once instead.
    if (!current && news.inputEtag === undefined && isKnown(news.input) && isKnown([news.storageAccountKey, news.storageBlobEndpoint, news.storageUserDelegationKey])) {
      const r = await inputIdentity(news);
      if (r.failures.length > 0) throw new Error(failuresText(TYPE, nameOf(news), r.failures));
      current = r.identity;
    }
    const { rerun: _r, ...result } = diffRetrainingRun(olds, news, current);
    return result;
  },

  async create(inputs) {
    const run = await runJob(inputs);
    return { id: run.jobId, outs: withoutUndefined({ ...inputs, ...run }) };
  },

  async read(id, props) {
    // A run is history: refresh keeps it as recorded (jobs expire on the service, contract §10.6).
    return { id, props, inputs: props };
  },

  async update(_id, olds, news) {
    let current = identityFromSeen(news.input, news.inputBlob);
    if (!current && news.inputEtag === undefined) current = (await inputIdentity(news)).identity;
    const { rerun } = diffRetrainingRun(olds, news, current);
    if (!rerun) {
      const { jobId, inputIdentity: ii, model, evaluation, metrics, startedAt, finishedAt } = olds;
      return { outs: withoutUndefined({ ...news, jobId, inputIdentity: ii, model, evaluation, metrics, startedAt, finishedAt }) };
    }
    return { outs: withoutUndefined({ ...news, ...(await runJob(news)) }) };
  },

  async delete() {
    // Trained models stay in storage: a binding may still serve them.
  },
};

/** What the stub forwards to: the lifecycle with the current stack config's credentials applied. */
export const provider = withCredentials(lifecycle);


export const retrainingRunProvider = provider;
