/**
 * Azure ML pipeline endpoints (contract §5), under `{url}/pipelines/{region}`. A submitted run trains on the dataset
 * named by the endpoint's data-path parameter (a blob in the training container), writes the model and evaluation
 * to the models container, and ends Completed or Failed (`Canceled` with one l when cancelled).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { authorizesArm, generateGuid } from "../auth";
import { blobClientFor } from "../blobs";
import type { EmulatorContext } from "../context";
import * as errors from "../errors";
import type { PipelineEndpointRecord, PipelineRunRecord } from "../store";
import { runTraining } from "../training";
import { canonicalBody } from "../wire/casing";
import { PIPELINE_SUBMIT_SCHEMA, PIPELINE_SUBMIT_SHAPE, PipelineSubmitRequest } from "../wire/pipelines";
import { renderHistoryRun, renderRunDetails } from "../wire/runHistory";

const WS = "/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.MachineLearningServices/workspaces/:wsName";
export const RUN_RESTARTED_DETAILS = "The emulator restarted while the job was running; submit it again.";

interface WsParams {
  sub: string;
  rg: string;
  wsName: string;
}

/** The submit answer and the P6 entity (contract §5.4: `Id`, `Status`, `ExperimentName`, `ParameterAssignments`). */
export function renderPipelineRun(run: PipelineRunRecord): Record<string, unknown> {
  return {
    Id: run.id,
    Status: run.status,
    ExperimentName: run.experimentName,
    ParameterAssignments: run.parameterAssignments,
    Description: run.description ?? null,
    PipelineEndpointId: run.pipelineEndpointId ?? null,
    PublishedPipelineId: run.publishedPipelineId,
    CreationTime: run.createdAt,
    StartTime: run.startTime ?? null,
    EndTime: run.endTime ?? null,
  };
}

export function failInterruptedRuns(ctx: EmulatorContext): void {
  for (const run of ctx.stores.pipelines.listRuns()) {
    if (run.status !== "Running" && run.status !== "NotStarted") continue;
    ctx.stores.pipelines.putRun({ ...run, status: "Failed", error: RUN_RESTARTED_DETAILS, endTime: new Date().toISOString() });
  }
}

export default async function pipelineRoutes(app: FastifyInstance, opts: { ctx: EmulatorContext }): Promise<void> {
  const { ctx } = opts;
  const store = ctx.stores.pipelines;

  app.addHook("onRequest", async (request: FastifyRequest) => {
    if (!authorizesArm(request.credential)) throw errors.pipelineUnauthorized();
  });

  function endpointIn(params: WsParams, endpoint: PipelineEndpointRecord | undefined, what: string): PipelineEndpointRecord {
    const eq = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
    if (!endpoint || !eq(endpoint.subscriptionId, params.sub) || !eq(endpoint.resourceGroup, params.rg) || !eq(endpoint.workspaceName, params.wsName)) {
      throw errors.pipelineNotFound(what);
    }
    return endpoint;
  }

  function runIn(params: WsParams, runId: string): PipelineRunRecord {
    const run = store.getRun(runId);
    const eq = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
    if (!run || !eq(run.subscriptionId, params.sub) || !eq(run.resourceGroup, params.rg) || !eq(run.workspaceName, params.wsName)) {
      throw errors.pipelineNotFound(`Run '${runId}'`);
    }
    return run;
  }

  /** Dataset path: the data-path parameter, else the first DataPathAssignments entry, inside the training container. */
  function datasetLocation(endpoint: PipelineEndpointRecord, body: PipelineSubmitRequest): string {
    const fromParameter = body.ParameterAssignments?.[endpoint.dataPathParameter];
    const fromDataPath = Object.values(body.DataPathAssignments ?? {})[0]?.RelativePath;
    const value = String(fromParameter ?? fromDataPath ?? "").replace(/^\/+/, "");
    if (!value) {
      throw errors.pipelineBadRequest(
        `The pipeline parameter '${endpoint.dataPathParameter}' is required: set ParameterAssignments.${endpoint.dataPathParameter} to the dataset's path in the '${endpoint.datasetContainer}' container.`,
      );
    }
    // Accept the path with or without the container name in front.
    const path = value.startsWith(`${endpoint.datasetContainer}/`) ? value.slice(endpoint.datasetContainer.length + 1) : value;
    return `${endpoint.datasetContainer}/${path}`;
  }

  function submit(request: FastifyRequest<{ Params: WsParams; Body: PipelineSubmitRequest | undefined }>, endpoint: PipelineEndpointRecord, version: string) {
    const body = request.body ?? {};
    if (!body.ExperimentName) throw errors.pipelineBadRequest("ExperimentName is required: name the experiment the run is recorded under.");
    const publishedPipelineId = endpoint.versions[version];
    if (!publishedPipelineId) throw errors.pipelineNotFound(`Version '${version}' of pipeline endpoint '${endpoint.name}'`);
    const id = generateGuid();
    const run: PipelineRunRecord = {
      id,
      experimentName: body.ExperimentName,
      pipelineEndpointId: endpoint.id,
      publishedPipelineId,
      version,
      status: "Running",
      createdAt: new Date().toISOString(),
      startTime: new Date().toISOString(),
      parameterAssignments: body.ParameterAssignments ?? {},
      description: body.Description,
      tags: body.Tags,
      subscriptionId: endpoint.subscriptionId,
      resourceGroup: endpoint.resourceGroup,
      workspaceName: endpoint.workspaceName,
      datasetLocation: datasetLocation(endpoint, body),
      modelLocation: `${endpoint.modelsContainer}/pipelines/${id}/model.ilearner`,
      evaluationLocation: `${endpoint.modelsContainer}/pipelines/${id}/evaluation.csv`,
    };
    store.putRun(run);
    start(run);
    return renderPipelineRun(run);
  }

  function start(run: PipelineRunRecord): void {
    const startedMs = Date.now();
    const own = (relativeLocation: string) => ({ connectionString: ctx.storage.connectionString, relativeLocation });
    const work = async (): Promise<void> => {
      const outcome = await runTraining({
        input: blobClientFor(own(run.datasetLocation)),
        inputDescription: run.datasetLocation,
        model: own(run.modelLocation),
        evaluation: own(run.evaluationLocation),
      }).catch((err: Error) => ({ ok: false as const, details: `The emulator failed while running the pipeline: ${err.message}` }));
      ctx.scheduler.after(Math.max(0, startedMs + ctx.options.jobRunMs - Date.now()), () => {
        const current = store.getRun(run.id);
        if (!current || current.status !== "Running") return;
        store.putRun({ ...current, status: outcome.ok ? "Completed" : "Failed", error: outcome.ok ? undefined : outcome.details, endTime: new Date().toISOString() });
      });
    };
    void ctx.scheduler.track(work());
  }

  const submitOptions = { preValidation: canonicalBody(PIPELINE_SUBMIT_SHAPE), schema: { body: PIPELINE_SUBMIT_SCHEMA } };

  // P1
  app.post<{ Params: WsParams & { publishedPipelineId: string }; Body: PipelineSubmitRequest | undefined }>(
    `/pipelines/v1.0${WS}/PipelineRuns/PipelineSubmit/:publishedPipelineId`,
    submitOptions,
    async function submitPublishedPipeline(request) {
      const id = request.params.publishedPipelineId;
      const endpoint = endpointIn(request.params, store.findEndpointByPublishedPipeline(id), `Published pipeline '${id}'`);
      const version = Object.entries(endpoint.versions).find(([, p]) => p === id)![0];
      return submit(request, endpoint, version);
    },
  );

  // P2, P3
  app.post<{ Params: WsParams & { endpointId: string; version?: string }; Body: PipelineSubmitRequest | undefined }>(
    `/pipelines/v1.0${WS}/PipelineRuns/PipelineEndpointSubmit/Id/:endpointId`,
    submitOptions,
    async function submitPipelineEndpoint(request) {
      const endpoint = endpointIn(request.params, store.getEndpoint(request.params.endpointId), `Pipeline endpoint '${request.params.endpointId}'`);
      return submit(request, endpoint, endpoint.defaultVersion);
    },
  );
  app.post<{ Params: WsParams & { endpointId: string; version: string }; Body: PipelineSubmitRequest | undefined }>(
    `/pipelines/v1.0${WS}/PipelineRuns/PipelineEndpointSubmit/Id/:endpointId/:version`,
    submitOptions,
    async function submitPipelineEndpointVersion(request) {
      const endpoint = endpointIn(request.params, store.getEndpoint(request.params.endpointId), `Pipeline endpoint '${request.params.endpointId}'`);
      return submit(request, endpoint, request.params.version);
    },
  );

  // P4
  app.post<{ Params: WsParams; Querystring: { name?: string; pipelineVersion?: string }; Body: PipelineSubmitRequest | undefined }>(
    `/pipelines/v1.0${WS}/PipelineRuns/PipelineEndpointSubmit/Name`,
    submitOptions,
    async function submitPipelineEndpointByName(request) {
      const { name, pipelineVersion } = request.query;
      if (!name) throw errors.pipelineBadRequest("The name query parameter is required.");
      const { sub, rg, wsName } = request.params;
      const endpoint = endpointIn(request.params, store.findEndpointByName(sub, rg, wsName, name), `Pipeline endpoint '${name}'`);
      return submit(request, endpoint, pipelineVersion ?? endpoint.defaultVersion);
    },
  );

  function runInExperiment(params: WsParams & { experimentName: string; runId: string }): PipelineRunRecord {
    const run = runIn(params, params.runId);
    if (run.experimentName !== params.experimentName) throw errors.pipelineNotFound(`Run '${run.id}' in experiment '${params.experimentName}'`);
    return run;
  }

  // P5
  app.get<{ Params: WsParams & { experimentName: string; runId: string } }>(
    `/history/v1.0${WS}/experiments/:experimentName/runs/:runId`,
    async function getRunHistory(request) {
      return renderHistoryRun(runInExperiment(request.params), ctx.storage.blobEndpoint);
    },
  );

  // P5 details (run history's Runs_GetDetails)
  app.get<{ Params: WsParams & { experimentName: string; runId: string } }>(
    `/history/v1.0${WS}/experiments/:experimentName/runs/:runId/details`,
    async function getRunDetails(request) {
      return renderRunDetails(runInExperiment(request.params));
    },
  );

  // P6
  app.get<{ Params: WsParams & { runId: string } }>(`/pipelines/v1.0${WS}/PipelineRuns/:runId`, async function getPipelineRun(request) {
    return renderPipelineRun(runIn(request.params, request.params.runId));
  });

  // P7
  app.post<{ Params: WsParams & { runId: string } }>(`/pipelines/v1.0${WS}/PipelineRuns/:runId/Cancel`, async function cancelPipelineRun(request) {
    const run = runIn(request.params, request.params.runId);
    if (run.status === "Running" || run.status === "NotStarted") {
      const canceled: PipelineRunRecord = { ...run, status: "Canceled", endTime: new Date().toISOString() };
      store.putRun(canceled);
      return renderPipelineRun(canceled);
    }
    return renderPipelineRun(run);
  });
}
