/**
 * TrainedModelBinding — which trained model a scoring target (classic endpoint or ARM web service) serves.
 */
import * as pulumi from "@pulumi/pulumi";
import type { TargetKind, VerificationArgs } from "../lifecycle/trainedModelBinding";
import type { UserDelegationKey } from "../clients/storage";
import type { HttpSettings } from "../transport";
import type { ModelBlobRef } from "../validation";
import type { GateArgs, GateVerdict } from "../promotion/gate";
import type { HistoryEntry, PinArgs } from "../promotion/history";
import type { PromotionPolicy } from "../promotion/freshModels";
import type { ScoringEndpoint } from "./scoringEndpoint";
import { warnWhileHeld } from "./heldWarning";
import { PREVIEWED_INPUT, previewMarker } from "./previewMarker";
import { stackIdentity } from "./stackIdentity";
import { stubProvider } from "./stub";
import { refuseImport } from "./noImport";

const TYPE = "TrainedModelBinding";
/** Credentials: secret in state, never compared by diff. */
const SECRET_FIELDS = ["endpointKey", "workspaceToken", "armToken", "scoringKey", "storageAccountKey"];
const provider = stubProvider("trainedModelBinding");

/** A classic endpoint not managed by this stack (use `endpoint` for a ScoringEndpoint resource). */
export interface ClassicEndpointTarget {
  /** Classic workspace id (32 hex). */
  workspaceId: string;
  /** Predictive web service id (32 hex). */
  webServiceId: string;
  /** Name of an added (non-default) endpoint. */
  endpointName: string;
  /** Workspace region (contract §1.2). Default ussouthcentral. */
  region?: string;
  /** Management base URL; default the region's real host. */
  managementBaseUrl?: string;
  /** Execution base URL, for the scoring probe. Default: read from the endpoint. */
  apiLocation?: string;
  /** The web service's default endpoint name, refused as a target. Default `default`. */
  defaultEndpointName?: string;
}

/** An ARM ("new") web service (contract §4). */
export interface ArmWebServiceTarget {
  subscriptionId: string;
  resourceGroup: string;
  /** Name of the `Microsoft.MachineLearning/webServices` resource. */
  webServiceName: string;
  /** ARM base URL; default `https://management.azure.com`. */
  armBaseUrl?: string;
  /** Execution base URL for the scoring probe; default derived from the service's swaggerLocation. */
  apiLocation?: string;
}

/** The storage account holding the models a binding or a rollout serves, and how its read SAS is minted. */
export interface ModelStorageArgs {
  /** Storage account holding the model. */
  storageAccountName: pulumi.Input<string>;
  /** Blob endpoint; default `https://{account}.blob.core.windows.net/`. */
  storageBlobEndpoint?: pulumi.Input<string>;
  /** Secret. Account key, used to mint the short-lived read SAS at apply time. */
  storageAccountKey?: pulumi.Input<string>;
  /** Secret. User-delegation key, the alternative to storageAccountKey. */
  storageUserDelegationKey?: pulumi.Input<UserDelegationKey>;
  /** Lifetime of the SAS handed to the classic PATCH, in minutes (1–1440). Default 15. */
  sasLifetimeMinutes?: pulumi.Input<number>;
}

export interface TrainedModelBindingArgs extends ModelStorageArgs {
  /**
   * Stack config keys holding this resource's credentials, by argument name (e.g. `{ workspaceToken:
   * "workspaceToken", armToken: "armToken" }`; `ns:key` for another namespace). Every operation, refresh and
   * destroy included, then uses the key's current value instead of the one stored at the last update, so a
   * rotated token needs no update. Credentials never show as a diff either way.
   */
  credentialConfig?: pulumi.Input<Record<string, string>>;
  /** Classic target: a ScoringEndpoint of this stack (its coordinates and primary key are used). */
  endpoint?: ScoringEndpoint;
  /** Classic target described by hand. Exactly one of endpoint / classicEndpoint / armWebService. */
  classicEndpoint?: pulumi.Input<ClassicEndpointTarget>;
  /** ARM target. */
  armWebService?: pulumi.Input<ArmWebServiceTarget>;
  /** Secret. Classic endpoint key (PATCH and probe auth). Default with `endpoint`: its primaryKey. */
  endpointKey?: pulumi.Input<string>;
  /** Secret. Workspace token: classic auth when no endpointKey is given. */
  workspaceToken?: pulumi.Input<string>;
  /** Secret. Azure AD bearer token for https://management.azure.com/ (ARM target). */
  armToken?: pulumi.Input<string>;
  /** Secret. ARM probe key; default from listKeys (A5). */
  scoringKey?: pulumi.Input<string>;
  /**
   * Classic: the endpoint resource's exact `Name` (e.g. `Census Model [trained model]`, see
   * ScoringEndpoint.trainedModelResourceNames). ARM: the trained-model asset's `name`.
   */
  trainedModelName: pulumi.Input<string>;
  /** The model to serve — from RetrainingRun.model or getLatestModelBlob. Its identity shows in preview. */
  model: pulumi.Input<ModelBlobRef>;
  verification?: pulumi.Input<VerificationArgs>;
  http?: pulumi.Input<HttpSettings>;
  /**
   * Metric gate: minimums (`{ auc: 0.85 }`) and largest drops against the model bound now (`{ accuracy: 0.005 }`).
   * Checked at preview whenever the new model is known (a refusal fails the preview with both metric sets and the
   * rule, 0 writes) and again before the write. `override: "<reason>"` promotes anyway, visibly in the diff.
   */
  gate?: pulumi.Input<GateArgs>;
  /**
   * `reviewed` (default): a model first known at apply (trained by a run in the same up) is not promoted; the
   * binding keeps the current model, records the held one (`heldModel`) and the next preview shows it old → new.
   * `gated`: such a model is promoted at apply when the gate passes.
   */
  promotion?: pulumi.Input<PromotionPolicy>;
  /**
   * Roll back: `"previous"` (the model declared before the current one) or `{ path, etag }` of an entry of
   * `history`. Preview shows the pinned model old → new like any promotion; up makes one write. The gate does not
   * apply to a pin. Remove the pin to return to `model`.
   */
  pin?: pulumi.Input<PinArgs>;
  /**
   * Who promotes, recorded in the audit of every promotion (provider/README.md, Audit), e.g.
   * `process.env.GITHUB_ACTOR` in CI. Default: `AZUREML_RETRAIN_ACTOR`, else the OS user running the deployment.
   */
  actor?: pulumi.Input<string>;
}

/**
 * Which trained model a scoring target serves. Preview shows the model's identity (path, etag, last-modified,
 * size, metrics) old → new; up makes exactly one write and verifies scoring moved; refresh shows out-of-band
 * changes as drift.
 */
export class TrainedModelBinding extends pulumi.dynamic.Resource {
  declare public readonly targetKind: pulumi.Output<TargetKind>;
  declare public readonly trainedModelName: pulumi.Output<string>;
  /** The model this binding serves (identity and metrics). */
  declare public readonly model: pulumi.Output<ModelBlobRef>;
  declare public readonly boundLocation: pulumi.Output<string>;
  declare public readonly boundAt: pulumi.Output<string>;
  declare public readonly verifiedBy: pulumi.Output<string>;
  /** The models this binding bound, newest first (at most 5): identity, metrics and when. */
  declare public readonly history: pulumi.Output<HistoryEntry[] | undefined>;
  /** A reviewed promotion held at apply (see `promotion`), and why. */
  declare public readonly heldModel: pulumi.Output<ModelBlobRef | undefined>;
  declare public readonly heldReason: pulumi.Output<string | undefined>;
  declare public readonly gateVerdict: pulumi.Output<GateVerdict | undefined>;
  declare public readonly previousModel: pulumi.Output<ModelBlobRef | undefined>;
  declare public readonly endpointName: pulumi.Output<string | undefined>;
  declare public readonly webServiceName: pulumi.Output<string | undefined>;

  constructor(name: string, args: TrainedModelBindingArgs, opts?: pulumi.CustomResourceOptions) {
    const given = [args.endpoint, args.classicEndpoint, args.armWebService].filter((x) => x !== undefined).length;
    const targetKind = given > 1 ? "ambiguous" : args.armWebService !== undefined ? "arm" : given === 1 ? "classic" : undefined;
    const ep = args.endpoint;
    const classic = args.classicEndpoint !== undefined ? pulumi.output(args.classicEndpoint) : undefined;
    const arm = args.armWebService !== undefined ? pulumi.output(args.armWebService) : undefined;
    const secret = <T>(v: pulumi.Input<T> | undefined) => (v === undefined ? undefined : pulumi.secret(v));
    const targetProps: Record<string, unknown> = ep
      ? {
          managementBaseUrl: ep.managementBaseUrl,
          region: ep.region,
          workspaceId: ep.workspaceId,
          webServiceId: ep.webServiceId,
          endpointName: ep.endpointName,
          defaultEndpointName: ep.defaultEndpointName,
          apiLocation: ep.apiLocation,
        }
      : classic
        ? {
            managementBaseUrl: classic.managementBaseUrl,
            region: classic.region,
            workspaceId: classic.workspaceId,
            webServiceId: classic.webServiceId,
            endpointName: classic.endpointName,
            defaultEndpointName: classic.defaultEndpointName,
            apiLocation: classic.apiLocation,
          }
        : arm
          ? {
              armBaseUrl: arm.armBaseUrl,
              subscriptionId: arm.subscriptionId,
              resourceGroup: arm.resourceGroup,
              webServiceName: arm.webServiceName,
              apiLocation: arm.apiLocation,
            }
          : {};
    const model = args.model === undefined ? undefined : pulumi.unsecret(pulumi.output(args.model));
    super(
      provider,
      name,
      {
        ...refuseImport(opts).input,
        resourceName: name,
        credentialConfig: args.credentialConfig,
        targetKind,
        ...targetProps,
        endpointKey: secret(args.endpointKey ?? (ep ? ep.primaryKey : undefined)),
        // An endpoint created in the same update has no key at preview; its workspace token lets preview check it.
        workspaceToken: secret(args.workspaceToken ?? (ep ? ep.workspaceToken : undefined)),
        armToken: secret(args.armToken),
        scoringKey: secret(args.scoringKey),
        trainedModelName: args.trainedModelName,
        model,
        storageAccountName: args.storageAccountName,
        storageBlobEndpoint: args.storageBlobEndpoint,
        storageAccountKey: secret(args.storageAccountKey),
        storageUserDelegationKey: secret(args.storageUserDelegationKey),
        sasLifetimeMinutes: args.sasLifetimeMinutes,
        verification: args.verification,
        http: args.http,
        gate: args.gate,
        promotion: args.promotion,
        pin: args.pin,
        // The stack that claims the target (provider/ownership.ts) and is named in the audit.
        ownerStack: stackIdentity(),
        // Resolves once a preview recorded that it showed this model ("reviewed": promotion/previewLedger.ts).
        [PREVIEWED_INPUT]: previewMarker(name, stackIdentity(), { ...args, model }),
        actor: args.actor,
        boundLocation: undefined,
        boundAt: undefined,
        verifiedBy: undefined,
        history: undefined,
        heldModel: undefined,
        heldReason: undefined,
        gateVerdict: undefined,
        previousModel: undefined,
        endpointName: (targetProps.endpointName as pulumi.Input<string> | undefined) ?? undefined,
        webServiceName: (targetProps.webServiceName as pulumi.Input<string> | undefined) ?? undefined,
      },
      { ...refuseImport(opts).opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...SECRET_FIELDS, "storageUserDelegationKey"] },
      "azureml",
      TYPE,
    );
    warnWhileHeld(this, TYPE, name, this.heldModel, this.heldReason);
  }
}
