/**
 * RetrainingRun — one BES training job on a dataset blob; runs again only when the dataset or parameters change.
 */
import * as pulumi from "@pulumi/pulumi";
import type { BlobLocation, GlobalParameterValue } from "../lifecycle/retrainingRun";
import type { BlobIdentity, ModelMetrics, UserDelegationKey } from "../clients/storage";
import type { HttpSettings } from "../transport";
import type { ModelBlobRef } from "../validation";
import type { TrainingService } from "./trainingService";
import { stubProvider } from "./stub";
import { refuseImport } from "./noImport";

const TYPE = "RetrainingRun";
const provider = stubProvider("retrainingRun");

export interface RetrainingRunArgs {
  /**
   * Stack config keys holding this resource's credentials, by argument name (e.g. `{ workspaceToken:
   * "workspaceToken", armToken: "armToken" }`; `ns:key` for another namespace). Every operation, refresh and
   * destroy included, then uses the key's current value instead of the one stored at the last update, so a
   * rotated token needs no update. Credentials never show as a diff either way.
   */
  credentialConfig?: pulumi.Input<Record<string, string>>;
  /** The training service to run (its apiLocation, apiKey and input/output names are used). */
  trainingService?: TrainingService;
  /** By hand instead of trainingService: BES base URL (ApiLocation) of the training endpoint. */
  apiLocation?: pulumi.Input<string>;
  /** Secret. By hand instead of trainingService: the training endpoint's key. */
  apiKey?: pulumi.Input<string>;
  /** Defaults: from trainingService, else input1 / output1 / output2. */
  inputName?: pulumi.Input<string>;
  modelOutputName?: pulumi.Input<string>;
  evaluationOutputName?: pulumi.Input<string>;
  /** The training dataset blob (e.g. `{ container: "training", path: "census/2024-05.csv" }`). */
  input: pulumi.Input<BlobLocation>;
  /**
   * The dataset's ETag as the program knows it (optional). Without it, diff reads the blob's identity
   * (one storage read) to decide whether to run again.
   */
  inputEtag?: pulumi.Input<string>;
  /** BES GlobalParameters (names are case-sensitive, contract §2.2). A change runs the job again. */
  globalParameters?: pulumi.Input<Record<string, pulumi.Input<GlobalParameterValue>>>;
  /** Container the model and evaluation are written to. */
  outputContainer: pulumi.Input<string>;
  /** Folder inside outputContainer; each run writes `{prefix}/{timestamp}/model.ilearner` and `evaluation.csv`. Default `runs/{resource name}`. */
  outputPrefix?: pulumi.Input<string>;
  storageAccountName: pulumi.Input<string>;
  /** Default `https://{account}.blob.core.windows.net/`. */
  storageBlobEndpoint?: pulumi.Input<string>;
  /** Secret. Account key: blob references use the connection-string form (contract §2.2). */
  storageAccountKey?: pulumi.Input<string>;
  /** Secret. Alternative: SAS-form blob references minted from a user-delegation key. */
  storageUserDelegationKey?: pulumi.Input<UserDelegationKey>;
  /** How long to wait for the job before cancelling it (B4). Default 60 minutes. */
  timeoutMinutes?: pulumi.Input<number>;
  /** Status poll interval. Default 5 seconds. */
  pollIntervalSeconds?: pulumi.Input<number>;
  http?: pulumi.Input<HttpSettings>;
}

/** One training job. Its `model` output feeds TrainedModelBinding; destroy keeps the model blobs. */
export class RetrainingRun extends pulumi.dynamic.Resource {
  declare public readonly jobId: pulumi.Output<string>;
  declare public readonly model: pulumi.Output<ModelBlobRef>;
  declare public readonly metrics: pulumi.Output<ModelMetrics | undefined>;
  declare public readonly evaluation: pulumi.Output<BlobLocation | undefined>;
  declare public readonly inputIdentity: pulumi.Output<BlobIdentity>;
  declare public readonly input: pulumi.Output<BlobLocation>;
  declare public readonly globalParameters: pulumi.Output<Record<string, GlobalParameterValue> | undefined>;
  declare public readonly startedAt: pulumi.Output<string>;
  declare public readonly finishedAt: pulumi.Output<string>;

  constructor(name: string, args: RetrainingRunArgs, opts?: pulumi.CustomResourceOptions) {
    const ts = args.trainingService;
    const secret = <T>(v: pulumi.Input<T> | undefined) => (v === undefined ? undefined : pulumi.secret(v));
    super(
      provider,
      name,
      {
        ...refuseImport(opts).input,
        resourceName: name,
        credentialConfig: args.credentialConfig,
        apiLocation: args.apiLocation ?? ts?.apiLocation,
        apiKey: secret(args.apiKey ?? ts?.apiKey),
        inputName: args.inputName ?? ts?.inputName,
        modelOutputName: args.modelOutputName ?? ts?.modelOutputName,
        evaluationOutputName: args.evaluationOutputName ?? ts?.evaluationOutputName,
        input: args.input,
        inputEtag: args.inputEtag,
        globalParameters: args.globalParameters,
        outputContainer: args.outputContainer,
        outputPrefix: args.outputPrefix,
        storageAccountName: args.storageAccountName,
        storageBlobEndpoint: args.storageBlobEndpoint,
        storageAccountKey: secret(args.storageAccountKey),
        storageUserDelegationKey: secret(args.storageUserDelegationKey),
        timeoutMinutes: args.timeoutMinutes,
        pollIntervalSeconds: args.pollIntervalSeconds,
        http: args.http,
        jobId: undefined,
        model: undefined,
        metrics: undefined,
        evaluation: undefined,
        inputIdentity: undefined,
        startedAt: undefined,
        finishedAt: undefined,
      },
      { ...refuseImport(opts).opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "apiKey", "storageAccountKey", "storageUserDelegationKey"] },
      "azureml",
      TYPE,
    );
  }
}
