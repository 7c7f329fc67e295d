/**
 * PipelineRun — one run of a designer pipeline published to a pipeline endpoint, on a dataset blob; runs again only
 * when the dataset or the parameters change. Its `model` plugs into TrainedModelBinding like RetrainingRun's.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PipelineParameterValue } from "../lifecycle/pipelineRun";
import type { BlobLocation } from "../lifecycle/runOutputs";
import type { BlobIdentity, ModelMetrics } from "../clients/storage";
import type { HttpSettings } from "../transport";
import type { ModelBlobRef } from "../validation";
import { stubProvider } from "./stub";
import { refuseImport } from "./noImport";

const TYPE = "PipelineRun";
const provider = stubProvider("pipelineRun");

export interface PipelineRunArgs {
  /** Stack config keys holding credentials by argument name (e.g. `{ armToken: "armToken" }`); see RetrainingRunArgs. */
  credentialConfig?: pulumi.Input<Record<string, string>>;
  /** The workspace's regional API host, `https://{region}.api.azureml.ms` (contract §5.1). */
  apiBaseUrl: pulumi.Input<string>;
  /** `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{name}`. */
  workspaceArmId: pulumi.Input<string>;
  /** The pipeline endpoint to submit to (its default version unless pipelineVersion is given). One of this or publishedPipelineId. */
  pipelineEndpointId?: pulumi.Input<string>;
  /** A version of the pipeline endpoint (`"0"`, `"1"`, …). A change runs the pipeline again. */
  pipelineVersion?: pulumi.Input<string>;
  /** One published pipeline instead of an endpoint. */
  publishedPipelineId?: pulumi.Input<string>;
  /** Experiment the run is recorded under. */
  experimentName: pulumi.Input<string>;
  /** The pipeline parameter that takes the dataset's path (the designer's data-path parameter). */
  dataPathParameter: pulumi.Input<string>;
  /** Other pipeline parameters. A change runs the pipeline again. */
  parameterAssignments?: pulumi.Input<Record<string, pulumi.Input<PipelineParameterValue>>>;
  /** The dataset blob; `path` is what the data-path parameter receives (relative to the datastore's container). */
  input: pulumi.Input<BlobLocation>;
  /** Where the pipeline writes its model; `{runId}` in the path is the run's id. Default: what run history reports. */
  modelOutput?: pulumi.Input<BlobLocation>;
  /** Secret. Azure AD access token for `https://management.azure.com/` (contract §5.2). */
  armToken: pulumi.Input<string>;
  storageAccountName: pulumi.Input<string>;
  /** Default `https://{account}.blob.core.windows.net/`. */
  storageBlobEndpoint?: pulumi.Input<string>;
  /** Secret. Reads the dataset's identity and the model the run wrote. */
  storageAccountKey: pulumi.Input<string>;
  /** How long to wait for the run before cancelling it. Default 60 minutes. */
  timeoutMinutes?: pulumi.Input<number>;
  /** Status poll interval. Default 5 seconds. */
  pollIntervalSeconds?: pulumi.Input<number>;
  http?: pulumi.Input<HttpSettings>;
}

/** One pipeline run. Its `model` output feeds TrainedModelBinding; destroy keeps the model blobs. */
export class PipelineRun extends pulumi.dynamic.Resource {
  declare public readonly runId: pulumi.Output<string>;
  declare public readonly status: pulumi.Output<string>;
  declare public readonly model: pulumi.Output<ModelBlobRef>;
  declare public readonly metrics: pulumi.Output<ModelMetrics | undefined>;
  declare public readonly evaluation: pulumi.Output<BlobLocation | undefined>;
  declare public readonly inputIdentity: pulumi.Output<BlobIdentity>;
  declare public readonly startedAt: pulumi.Output<string>;
  declare public readonly finishedAt: pulumi.Output<string>;

  constructor(name: string, args: PipelineRunArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        ...refuseImport(opts).input,
        resourceName: name,
        ...args,
        armToken: pulumi.secret(args.armToken),
        storageAccountKey: pulumi.secret(args.storageAccountKey),
        runId: undefined,
        status: undefined,
        model: undefined,
        metrics: undefined,
        evaluation: undefined,
        inputIdentity: undefined,
        startedAt: undefined,
        finishedAt: undefined,
      },
      { ...refuseImport(opts).opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "armToken", "storageAccountKey"] },
      "azureml",
      TYPE,
    );
  }
}
