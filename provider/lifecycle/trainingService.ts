/**
 * TrainingService — a deployed training (retraining) web service: its BES location, key and output names.
 * Validated against the service at create and refresh (contract §2: B5 swagger, or B3 on an unknown job).
 */
import { CredentialConfig, withCredentials } from "./credentials";
import type * as pulumi from "@pulumi/pulumi";
import { getSwagger, getUnknownJob } from "../clients/bes";
import { HttpSettings, prop } from "../transport";
import { failure, isServiceError } from "../errors";
import { InputFailure, changedFields, checkHttp, checkRequired, checkUrl, isKnown, isUnknown, toCheckFailures, trimSlash, withoutUndefined } from "../validation";

const TYPE = "TrainingService";


export interface TrainingServiceInputs {
  /** Credential field → stack config key; read, refresh and delete use the current value (credentials.ts). */
  credentialConfig?: CredentialConfig;
  resourceName?: string;
  apiLocation: string;
  apiKey: string;
  inputName: string;
  modelOutputName: string;
  evaluationOutputName: string;
  http?: HttpSettings;
}

export interface TrainingServiceState extends TrainingServiceInputs {
  /** Title from the service's swagger, when it publishes one. */
  title?: string;
  /** Output names the service's swagger declares, when it does. */
  declaredOutputs?: string[];
  /** ISO time of the last successful validation. */
  validatedAt?: string;
}

const NAME = /^[A-Za-z0-9_\- ]{1,128}$/;

export function checkTrainingService(news: Partial<TrainingServiceInputs>): { inputs: TrainingServiceInputs; failures: InputFailure[] } {
  const out: InputFailure[] = [];
  if (checkRequired(out, "apiLocation", news.apiLocation, "Give the training endpoint's ApiLocation (BES base URL)")) {
    checkUrl(out, "apiLocation", news.apiLocation);
    if (typeof news.apiLocation === "string" && /\/jobs\/?$/.test(news.apiLocation)) {
      out.push({ property: "apiLocation", reason: "apiLocation ends in /jobs", fix: "Give the ApiLocation without /jobs: the provider appends /jobs?api-version=2.0 (contract §1.4)" });
    }
  }
  checkRequired(out, "apiKey", news.apiKey, "Pass the training endpoint's PrimaryKey as a secret");
  const inputs: TrainingServiceInputs = {
    ...news,
    apiLocation: typeof news.apiLocation === "string" && !isUnknown(news.apiLocation) ? trimSlash(news.apiLocation) : (news.apiLocation as string),
    apiKey: news.apiKey as string,
    inputName: news.inputName ?? "input1",
    modelOutputName: news.modelOutputName ?? "output1",
    evaluationOutputName: news.evaluationOutputName ?? "output2",
  };
  for (const f of ["inputName", "modelOutputName", "evaluationOutputName"] as const) {
    const v = inputs[f];
    if (!isUnknown(v) && !NAME.test(String(v))) out.push({ property: f, reason: `${f} "${String(v)}" is not a web service input/output name`, fix: "Use the module name shown in the service's API help page (e.g. output1)" });
  }
  if (!isUnknown(inputs.modelOutputName) && inputs.modelOutputName === inputs.evaluationOutputName) {
    out.push({ property: "evaluationOutputName", reason: "evaluationOutputName equals modelOutputName", fix: "The model and the evaluation are different outputs (default output1 and output2)" });
  }
  checkHttp(out, news.http);
  return { inputs, failures: out };
}

export function diffTrainingService(olds: Partial<TrainingServiceState>, news: TrainingServiceInputs): pulumi.dynamic.DiffResult {
  const changed = changedFields(olds, news, ["apiLocation", "inputName", "modelOutputName", "evaluationOutputName", "http"]);
  return { changes: changed.length > 0, replaces: [] };
}

/** Names a swagger document declares as outputs, when it has a recognisable shape. Pure. */
export function declaredOutputsOf(swagger: unknown): string[] | undefined {
  const defs = prop<Record<string, unknown>>(swagger, "definitions");
  if (!defs) return undefined;
  for (const [name, def] of Object.entries(defs)) {
    if (!/^(BatchOutputs|ExecutionOutputs|Outputs?)$/i.test(name)) continue;
    const props = prop<Record<string, unknown>>(def, "properties");
    if (props && Object.keys(props).length > 0) return Object.keys(props);
  }
  return undefined;
}

/** Read-only validation: the key works and the service answers (B5; B3 of an unknown job when B5 is absent). */
export async function validateTrainingService(i: TrainingServiceInputs): Promise<{ title?: string; declaredOutputs?: string[] }> {
  const bes = { apiLocation: i.apiLocation, apiKey: i.apiKey, http: i.http };
  const swagger = await getSwagger(bes);
  if (swagger.status >= 200 && swagger.status < 300 && swagger.data && typeof swagger.data === "object") {
    const title = prop<string>(prop(swagger.data, "info"), "title");
    return { title: typeof title === "string" ? title : undefined, declaredOutputs: declaredOutputsOf(swagger.data) };
  }
  // No swagger: a job lookup with a made-up id proves the key (401 otherwise) and the location (404 NotFound).
  const probe = await getUnknownJob(bes);
  if (probe.status === 404 && !/NotFound/i.test(JSON.stringify(probe.data ?? ""))) {
    throw Object.assign(new Error("the BES location does not answer like a training service"), { code: "NotFound" });
  }
  return {};
}

function problemsWithOutputs(i: TrainingServiceInputs, declared?: string[]): InputFailure[] {
  if (!declared) return [];
  return (["modelOutputName", "evaluationOutputName"] as const)
    .filter((f) => !declared.includes(i[f]))
    .map((f) => ({ property: f, reason: `${f} "${i[f]}" is not an output of the training service`, fix: `Use one of ${declared.map((d) => `"${d}"`).join(", ")}` }));
}

async function validateOrThrow(i: TrainingServiceInputs, operation: string): Promise<TrainingServiceState> {
  let found: { title?: string; declaredOutputs?: string[] };
  try {
    found = await validateTrainingService(i);
  } catch (err) {
    throw failure(TYPE, i.resourceName ?? "training", operation, err, isServiceError(err) && err.status === 401 ? "Check apiKey: the training endpoint's PrimaryKey" : "Check apiLocation: the training endpoint's ApiLocation", [i.apiKey]);
  }
  const problems = problemsWithOutputs(i, found.declaredOutputs);
  if (problems.length > 0) throw new Error(toCheckFailures(problems).map((p) => `${TYPE} "${i.resourceName ?? "training"}": ${p.property}: ${p.reason}`).join("\n"));
  return withoutUndefined({ ...i, ...found, validatedAt: new Date().toISOString() }) as unknown as TrainingServiceState;
}

/** Checked by the stub in resources/: raised when the calls it forwards change shape. */
export const API_VERSION = 1;

const lifecycle: pulumi.dynamic.ResourceProvider<TrainingServiceInputs, TrainingServiceState> = {
  async check(olds, news) {
    const { inputs, failures } = checkTrainingService(news);
    const isNew = !olds || Object.keys(olds).filter((k) => k !== "__provider").length === 0;
    if (failures.length === 0 && isNew && isKnown(inputs)) {
      try {
        const found = await validateTrainingService(inputs);
        failures.push(...problemsWithOutputs(inputs, found.declaredOutputs));
      } catch (err) {
        failures.push({
          property: isServiceError(err) && err.status === 401 ? "apiKey" : "apiLocation",
          reason: failure(TYPE, inputs.resourceName ?? "training", "preview validation", err, undefined, [inputs.apiKey]).message,
          fix: "Nothing was written",
        });
      }
    }
    return { inputs, failures: toCheckFailures(failures) };
  },
  async diff(_id, olds, news) {
    return diffTrainingService(olds, news);
  },
  async create(inputs) {
    const outs = await validateOrThrow(inputs, "validate training service");
    return { id: inputs.apiLocation.split("/").pop() || "training-service", outs };
  },
  async read(id, props) {
    const state = props as TrainingServiceState;
    const outs = await validateOrThrow(state, "refresh (validate training service)");
    const { title: _t, declaredOutputs: _d, validatedAt: _v, ...inputs } = outs;
    return { id, props: outs, inputs: inputs as TrainingServiceState };
  },
  async update(_id, _olds, news) {
    return { outs: await validateOrThrow(news, "validate training service") };
  },
  async delete() {
    // The training web service is deployed outside Pulumi; this resource only describes it.
  },
};

/** What the stub forwards to: the lifecycle with the current stack config's credentials applied. */
export const provider = withCredentials(lifecycle);


export const trainingServiceProvider = provider;
