/**
 * Batch Execution Service v2.0 (contract §2) under an ApiLocation. A job goes NotStarted → (start) Running →
 * Finished | Failed, or Cancelled by DELETE. A running job trains (training service) or scores its input (predictive
 * service) at once and reports Running for at least jobRunMs; the job record is persisted at every transition.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ConnectionStringError, baseLocationOf, blobClientFor, mintResultSas, parseConnectionString, splitRelativeLocation } from "../blobs";
import { CONTAINERS, EmulatorContext } from "../context";
import * as errors from "../errors";
import { generateId } from "../auth";
import type { BlobReference, JobRecord } from "../store";
import { ExecutionParams, ExecutionTarget, resolveTarget } from "../targets";
import { runBatchScoring } from "../batchScoring";
import { servingModel } from "../models";
import { runTraining } from "../training";
import { API_VERSION_QUERY, AzureBlobDataReference, BATCH_REQUEST_SCHEMA, BATCH_REQUEST_SHAPE, BES_API_VERSION, BatchExecutionRequest, BatchExecutionStatus, BatchResult } from "../wire/batch";
import { canonicalBody } from "../wire/casing";
import { serviceSwagger } from "../wire/swagger";

const SWAGGER_PATH = "/swagger.json";

/** Input datasets are CSV (the ML core reads CSV). */
const INPUT_EXTENSION = ".csv";

export const JOB_RESTARTED_DETAILS = "The emulator restarted while the job was running; submit it again.";

type Query = { "api-version"?: string };

declare module "fastify" {
  interface FastifyRequest {
    executionTarget?: ExecutionTarget;
  }
}

/**
 * Resolves the URL's target, checks its key, then the api-version (E11, E21). `swagger.json` may go without one:
 * an ARM service's `swaggerLocation` names it bare, as Microsoft's examples show (issue 19); a wrong one is still refused.
 */
export function executionTarget(ctx: EmulatorContext, request: FastifyRequest, isVersionOptional = false): ExecutionTarget {
  const target = resolveTarget(ctx, request.params as ExecutionParams);
  if (!target) throw errors.executionServiceNotFound();
  if (!target.authorizes(request.credential)) throw errors.scoreRequestUnauthorized();
  const version = (request.query as Query)["api-version"];
  if (version !== BES_API_VERSION && !(isVersionOptional && version === undefined)) throw errors.badVersionCall(version ?? "");
  return target;
}

function toReference(name: string, raw: AzureBlobDataReference | undefined): BlobReference {
  if (!raw || !raw.RelativeLocation || (!raw.ConnectionString && !raw.BaseLocation)) throw errors.missingInputBlobInformation(name);
  if (raw.ConnectionString) {
    try {
      parseConnectionString(raw.ConnectionString);
    } catch (err) {
      if (err instanceof ConnectionStringError) throw errors.invalidBlobConnectionString(name);
      throw err;
    }
  }
  if (!splitRelativeLocation(raw.RelativeLocation)) throw errors.inputBlobRelativeLocationInvalid(name);
  return {
    relativeLocation: raw.RelativeLocation.replace(/^\/+/, ""),
    connectionString: raw.ConnectionString ?? undefined,
    baseLocation: raw.BaseLocation ?? undefined,
    sasBlobToken: raw.SasBlobToken ?? undefined,
  };
}

function referenceText(ref: BlobReference): string {
  return ref.relativeLocation;
}

/** Validates a submit body against the service's inputs and outputs (contract §2.2, §2.7). */
export function validateSubmit(target: ExecutionTarget, body: BatchExecutionRequest, jobId: string, ctx: EmulatorContext): Pick<JobRecord, "inputs" | "outputs"> {
  if (body.Input && body.Inputs) throw errors.duplicateInputInBatchCall();
  const rawInputs: Record<string, AzureBlobDataReference> = body.Inputs ?? (body.Input ? { [target.inputs[0]]: body.Input } : {});
  const unknown = Object.keys(rawInputs).filter((n) => !target.inputs.includes(n));
  if (unknown.length) throw errors.invalidInputNames(unknown, target.inputs);
  const missing = target.inputs.filter((n) => !(n in rawInputs));
  if (missing.length) throw errors.batchJobInputsNotSpecified(missing);
  if (Object.keys(rawInputs).length > target.inputs.length) throw errors.batchJobInputsTooManySpecified(Object.keys(rawInputs).length, target.inputs.length);
  const inputs: Record<string, BlobReference> = {};
  for (const [name, raw] of Object.entries(rawInputs)) {
    const ref = toReference(name, raw);
    if (!ref.relativeLocation.toLowerCase().endsWith(INPUT_EXTENSION)) throw errors.invalidBlobExtension(referenceText(ref), INPUT_EXTENSION);
    inputs[name] = ref;
  }

  const outputs: Record<string, BlobReference> = {};
  const overrides = body.Outputs ?? {};
  for (const name of Object.keys(overrides)) {
    if (!target.outputs.some((o) => o.name === name)) throw errors.invalidOutputOverrideName(name, target.outputs.map((o) => o.name));
  }
  for (const spec of target.outputs) {
    const raw = overrides[spec.name];
    if (raw) {
      const ref = toReference(spec.name, raw);
      // Trained-model outputs must end in .ilearner (contract §2.2, E15), checked at submit.
      if (!ref.relativeLocation.toLowerCase().endsWith(spec.extension)) throw errors.invalidBlobExtension(referenceText(ref), spec.extension);
      outputs[spec.name] = ref;
    } else {
      // Not overridden: the service writes the output to its own storage (contract §2.2).
      outputs[spec.name] = { connectionString: ctx.storage.connectionString, relativeLocation: `${CONTAINERS.experimentOutput}/${jobId}/${spec.name}${spec.extension}` };
    }
  }
  for (const name of Object.keys(body.GlobalParameters ?? {})) throw errors.unexpectedParameter(name);
  return { inputs, outputs };
}

export function jobStatus(job: JobRecord, now = Date.now()): BatchExecutionStatus {
  if (job.status !== "Finished") return { StatusCode: job.status, Results: null, Details: job.details };
  const results: Record<string, BatchResult> = {};
  for (const [name, ref] of Object.entries(job.outputs)) {
    // A fresh SAS on every read (contract §2.4).
    results[name] = { ConnectionString: null, RelativeLocation: ref.relativeLocation, BaseLocation: baseLocationOf(ref), SasBlobToken: mintResultSas(ref, now) };
  }
  return { StatusCode: "Finished", Results: results, Details: null };
}

/**
 * Runs a started job now and ends it no earlier than jobRunMs after the start: a training service trains; a
 * predictive one scores its input with the model bound to the endpoint when the job started.
 */
export function runJob(ctx: EmulatorContext, jobId: string, target: ExecutionTarget): void {
  const startedMs = Date.now();
  const finish = (status: "Finished" | "Failed", details: string | null): void => {
    const job = ctx.stores.jobs.get(jobId);
    if (!job || job.status !== "Running") return; // cancelled meanwhile
    ctx.stores.jobs.put({ ...job, status, details, endedAt: new Date().toISOString() });
  };
  const work = async (): Promise<void> => {
    const job = ctx.stores.jobs.get(jobId);
    if (!job) return;
    const [inputName, input] = Object.entries(job.inputs)[0];
    const inputDescription = `${inputName} (${input.relativeLocation})`;
    let outcome;
    try {
      if (target.kind === "predictive") {
        const scoringModel = target.binding && ctx.stores.models.load(servingModel(target.binding).hash);
        if (!scoringModel) throw new Error("the endpoint's trained model is not loaded");
        const output = job.outputs[target.outputs[0].name];
        outcome = await runBatchScoring({ input: blobClientFor(input), inputDescription, model: scoringModel, output });
      } else {
        const model = Object.entries(job.outputs).find(([name]) => name === modelOutputName(ctx, job))?.[1];
        const evaluation = Object.entries(job.outputs).find(([name]) => name === evaluationOutputName(ctx, job))?.[1];
        outcome = await runTraining({ input: blobClientFor(input), inputDescription, model, evaluation });
      }
    } catch (err) {
      outcome = { ok: false as const, details: `Error 0000: the emulator failed while running the job: ${(err as Error).message}` };
    }
    const remaining = Math.max(0, startedMs + ctx.options.jobRunMs - Date.now());
    ctx.scheduler.after(remaining, () => finish(outcome.ok ? "Finished" : "Failed", outcome.ok ? null : outcome.details));
  };
  void ctx.scheduler.track(work());
}

function outputOfKind(ctx: EmulatorContext, job: JobRecord, kind: "model" | "evaluation"): string | undefined {
  const ep = ctx.stores.classic.getEndpointById(job.targetId);
  const svc = ep ? ctx.stores.classic.getWebService(ep.webServiceId) : undefined;
  return svc?.outputs.find((o) => o.kind === kind)?.name;
}
const modelOutputName = (ctx: EmulatorContext, job: JobRecord): string | undefined => outputOfKind(ctx, job, "model");
const evaluationOutputName = (ctx: EmulatorContext, job: JobRecord): string | undefined => outputOfKind(ctx, job, "evaluation");

/** At start-up: jobs that were Running when the emulator stopped cannot resume. */
export function failInterruptedJobs(ctx: EmulatorContext): number {
  let count = 0;
  for (const job of ctx.stores.jobs.list()) {
    if (job.status !== "Running") continue;
    ctx.stores.jobs.put({ ...job, status: "Failed", details: JOB_RESTARTED_DETAILS, endedAt: new Date().toISOString() });
    count++;
  }
  return count;
}

export default async function batchRoutes(app: FastifyInstance, opts: { ctx: EmulatorContext }): Promise<void> {
  const { ctx } = opts;
  const jobs = ctx.stores.jobs;
  const querySchema = { querystring: API_VERSION_QUERY };

  // Key and api-version before the body is even parsed: a wrong key gets 401 whatever it sends.
  app.addHook("onRequest", async (request) => {
    request.executionTarget = executionTarget(ctx, request, request.routeOptions.url?.endsWith(SWAGGER_PATH));
  });

  function jobOf(target: ExecutionTarget, jobId: string): JobRecord {
    const job = jobs.get(jobId);
    if (!job || job.targetId !== target.id) throw errors.jobNotFound(jobId);
    return job;
  }

  // B1
  app.post<{ Body: BatchExecutionRequest | undefined; Querystring: Query }>(
    "/jobs",
    { preValidation: canonicalBody(BATCH_REQUEST_SHAPE), schema: { ...querySchema, body: BATCH_REQUEST_SCHEMA } },
    async function submitJob(request, reply) {
      const target = request.executionTarget!;
      if (target.kind === "predictive" && !target.binding) throw errors.noTrainedModelBound();
      const id = generateId();
      const { inputs, outputs } = validateSubmit(target, request.body ?? {}, id, ctx);
      jobs.put({ id, targetId: target.id, status: "NotStarted", createdAt: new Date().toISOString(), inputs, outputs, details: null });
      // The body is a JSON string: the job id in double quotes (contract §2.2).
      return reply.type("application/json; charset=utf-8").send(JSON.stringify(id));
    },
  );

  // B2
  app.post<{ Params: { jobId: string }; Querystring: Query }>("/jobs/:jobId/start", { schema: querySchema }, async function startJob(request, reply) {
    const target = request.executionTarget!;
    const job = jobOf(target, request.params.jobId);
    if (job.status !== "NotStarted") throw errors.cannotStartJob(job.status);
    jobs.put({ ...job, status: "Running", startedAt: new Date().toISOString() });
    runJob(ctx, job.id, target);
    return reply.code(204).send();
  });

  // B3
  app.get<{ Params: { jobId: string }; Querystring: Query }>("/jobs/:jobId", { schema: querySchema }, async function getJobStatus(request) {
    const target = request.executionTarget!;
    return jobStatus(jobOf(target, request.params.jobId));
  });

  // B4 — cancels a job that has not ended; an ended job keeps its state (emulator choice).
  app.delete<{ Params: { jobId: string }; Querystring: Query }>("/jobs/:jobId", { schema: querySchema }, async function cancelJob(request, reply) {
    const target = request.executionTarget!;
    const job = jobOf(target, request.params.jobId);
    if (job.status === "NotStarted" || job.status === "Running") {
      jobs.put({ ...job, status: "Cancelled", endedAt: new Date().toISOString() });
    }
    return reply.code(204).send();
  });

  // B5
  app.get<{ Querystring: Query }>(SWAGGER_PATH, { schema: querySchema }, async function getSwagger(request) {
    const target = request.executionTarget!;
    return serviceSwagger({
      title: target.title,
      endpointName: target.name,
      endpointDescription: target.description,
      apiLocation: `${ctx.baseUrl}${target.apiLocationPath}`,
      inputs: target.inputs,
      outputs: target.outputs.map((o) => o.name),
      featureColumns: target.inputColumns,
    });
  });
}
