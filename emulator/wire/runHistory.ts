/**
 * Run history (contract §5.4, P5 and its details), in the shapes of Microsoft's run-history description
 * (`runHistory.json`, 2019-08-01: `Run` and `RunDetails`). That description has no nulls: a value the run does not
 * have yet (an end time, an error) is left out (issue 19). `error` is its ErrorResponse, `{ error: { code, message } }`.
 */
import type { PipelineRunRecord } from "../store";

/** The compute target a run reports; the emulator trains in its own process. */
const RUN_TARGET = "emulator";

function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined && v !== null));
}

function common(run: PipelineRunRecord): Record<string, unknown> {
  return {
    runId: run.id,
    status: run.status,
    startTimeUtc: run.startTime,
    endTimeUtc: run.endTime,
    tags: run.tags ?? {},
    properties: { "azureml.runsource": "azureml.PipelineRun", "azureml.pipelineEndpointId": run.pipelineEndpointId ?? "" },
    error: run.error ? { error: { code: "UserError", message: run.error } } : undefined,
  };
}

/** The Run (P5), camelCase; `parameters` and `outputs` are the emulator's: what it ran on and where the model went. */
export function renderHistoryRun(run: PipelineRunRecord, blobEndpoint: string): Record<string, unknown> {
  return defined({
    ...common(run),
    experimentName: run.experimentName,
    description: run.description,
    createdUtc: run.createdAt,
    parameters: run.parameterAssignments,
    outputs: run.status === "Completed" ? { baseLocation: `${blobEndpoint}/`, model: run.modelLocation, evaluation: run.evaluationLocation } : undefined,
  });
}

/** RunDetails (`…/runs/{runId}/details`): the run's target, definition and log files besides its status. */
export function renderRunDetails(run: PipelineRunRecord): Record<string, unknown> {
  return defined({
    ...common(run),
    target: RUN_TARGET,
    warnings: [],
    runDefinition: {
      pipelineEndpointId: run.pipelineEndpointId,
      publishedPipelineId: run.publishedPipelineId,
      version: run.version,
      parameterAssignments: run.parameterAssignments,
    },
    logFiles: {},
    revision: revisionOf(run),
  });
}

/** Run history counts each change of a run; here: created, started, ended. */
function revisionOf(run: PipelineRunRecord): number {
  return 1 + (run.startTime ? 1 : 0) + (run.endTime ? 1 : 0);
}
