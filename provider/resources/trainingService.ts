/**
 * TrainingService — a deployed training (retraining) web service: its BES location, key and output names.
 */
import * as pulumi from "@pulumi/pulumi";
import type { HttpSettings } from "../transport";
import { stubProvider } from "./stub";
import { refuseImport } from "./noImport";

const TYPE = "TrainingService";
const provider = stubProvider("trainingService");

export interface TrainingServiceArgs {
  /**
   * Stack config keys holding this resource's credentials, by argument name (e.g. `{ workspaceToken:
   * "workspaceToken", armToken: "armToken" }`; `ns:key` for another namespace). Every operation, refresh and
   * destroy included, then uses the key's current value instead of the one stored at the last update, so a
   * rotated token needs no update. Credentials never show as a diff either way.
   */
  credentialConfig?: pulumi.Input<Record<string, string>>;
  /**
   * BES base URL of the training web service's endpoint (its `ApiLocation`, without `/jobs`; contract §0, §2.1),
   * e.g. `https://ussouthcentral.services.azureml.net/workspaces/{ws}/services/{epId}`.
   */
  apiLocation: pulumi.Input<string>;
  /** Secret. The endpoint's PrimaryKey or SecondaryKey (BES bearer key). */
  apiKey: pulumi.Input<string>;
  /** Web Service Input name of the training dataset. Default `input1`. */
  inputName?: pulumi.Input<string>;
  /** Web Service Output name of the trained model (.ilearner). Default `output1` (contract §2.2). */
  modelOutputName?: pulumi.Input<string>;
  /** Web Service Output name of the Evaluate Model result (.csv). Default `output2`. */
  evaluationOutputName?: pulumi.Input<string>;
  http?: pulumi.Input<HttpSettings>;
}

/** A deployed training web service. Destroy leaves the service alone. */
export class TrainingService extends pulumi.dynamic.Resource {
  declare public readonly apiLocation: pulumi.Output<string>;
  /** Secret. */
  declare public readonly apiKey: pulumi.Output<string>;
  declare public readonly inputName: pulumi.Output<string>;
  declare public readonly modelOutputName: pulumi.Output<string>;
  declare public readonly evaluationOutputName: pulumi.Output<string>;
  declare public readonly http: pulumi.Output<HttpSettings | undefined>;
  declare public readonly title: pulumi.Output<string | undefined>;
  declare public readonly declaredOutputs: pulumi.Output<string[] | undefined>;
  declare public readonly validatedAt: pulumi.Output<string>;

  constructor(name: string, args: TrainingServiceArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        ...refuseImport(opts).input,
        resourceName: name,
        credentialConfig: args.credentialConfig,
        apiLocation: args.apiLocation,
        apiKey: pulumi.secret(args.apiKey),
        inputName: args.inputName,
        modelOutputName: args.modelOutputName,
        evaluationOutputName: args.evaluationOutputName,
        http: args.http,
        title: undefined,
        declaredOutputs: undefined,
        validatedAt: undefined,
      },
      { ...refuseImport(opts).opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "apiKey"] },
      "azureml",
      "TrainingService",
    );
  }
}
