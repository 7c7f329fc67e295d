/**
 * ScoringEndpoint — an added endpoint on a classic predictive web service.
 */
import * as pulumi from "@pulumi/pulumi";
import type { HttpSettings } from "../transport";
import { stackIdentity } from "./stackIdentity";
import { stubProvider } from "./stub";
import { refuseImport } from "./noImport";

const TYPE = "ScoringEndpoint";
const provider = stubProvider("scoringEndpoint");

export interface ScoringEndpointArgs {
  /**
   * Stack config keys holding this resource's credentials, by argument name (e.g. `{ workspaceToken:
   * "workspaceToken", armToken: "armToken" }`; `ns:key` for another namespace). Every operation, refresh and
   * destroy included, then uses the key's current value instead of the one stored at the last update, so a
   * rotated token needs no update. Credentials never show as a diff either way.
   */
  credentialConfig?: pulumi.Input<Record<string, string>>;
  /** Classic workspace id (32 lowercase hex characters). Changing it replaces the endpoint. */
  workspaceId: pulumi.Input<string>;
  /** Id of the **predictive** web service (32 hex). Training services have nothing to bind (contract §1.1, E6). Replaces on change. */
  webServiceId: pulumi.Input<string>;
  /** Endpoint name: ≤ 24 lowercase letters, digits, hyphens (not first/last); never the default endpoint (§1.4). Replaces on change. */
  endpointName: pulumi.Input<string>;
  /** Workspace authorization token (secret) for PUT/PATCH/GET/DELETE on the management API (§1.3). */
  workspaceToken: pulumi.Input<string>;
  /** Workspace region (§1.2): ussouthcentral (default), europewest, asiasoutheast, japaneast, uswestcentral, germanycentral. Replaces on change. */
  region?: pulumi.Input<string>;
  /** Management base URL; default the region's real host (`https://{regionPrefix}management.azureml.net`). Set it to drive the emulator. */
  managementBaseUrl?: pulumi.Input<string>;
  /**
   * Description. The service keeps 2000 characters; on an endpoint this resource creates, the provider appends
   * its owner marker ` [pulumi:<org>/<project>/<stack>/<resource name>]` to it (and strips it on read).
   */
  description?: pulumi.Input<string>;
  /** `Low` (default; caps maxConcurrentCalls at 4) or `High` (up to 200). */
  throttleLevel?: pulumi.Input<"Low" | "High">;
  /** Concurrent RRS calls, 1–200 (≤ 4 under `Low`). Default: the service's (4 free / 20 paid). */
  maxConcurrentCalls?: pulumi.Input<number>;
  /** `None` (default), `Error` or `All`. */
  diagnosticsTraceLevel?: pulumi.Input<"None" | "Error" | "All">;
  /** Name of the web service's default endpoint, refused as a target. Default `default`. */
  defaultEndpointName?: pulumi.Input<string>;
  /**
   * Take over an existing endpoint instead of creating it (the way to "import": `pulumi import` does not work for
   * dynamic providers). Create then reads the endpoint and applies only differing declared settings.
   */
  adopt?: pulumi.Input<boolean>;
  /** Whether destroy deletes the endpoint. Default: true when this resource created it, false when it was adopted. */
  deleteOnDestroy?: pulumi.Input<boolean>;
  /** Timeouts, retries and per-host concurrency for this resource's calls. */
  http?: pulumi.Input<HttpSettings>;
}

/**
 * An added endpoint on a classic predictive web service. Create PUTs it (or adopts an existing one with
 * `adopt: true`), update PATCHes its settings, delete removes it (not when adopted, unless `deleteOnDestroy`).
 * Create marks the endpoint's Description with the stack and resource name, so that after a crash the same
 * resource takes its own endpoint over instead of refusing it.
 * The default endpoint and endpoints of training services are refused at preview.
 */
export class ScoringEndpoint extends pulumi.dynamic.Resource {
  declare public readonly workspaceId: pulumi.Output<string>;
  declare public readonly webServiceId: pulumi.Output<string>;
  declare public readonly endpointName: pulumi.Output<string>;
  declare public readonly region: pulumi.Output<string>;
  declare public readonly managementBaseUrl: pulumi.Output<string>;
  /** Secret. */
  declare public readonly workspaceToken: pulumi.Output<string>;
  declare public readonly description: pulumi.Output<string | undefined>;
  declare public readonly throttleLevel: pulumi.Output<string | undefined>;
  declare public readonly maxConcurrentCalls: pulumi.Output<number | undefined>;
  declare public readonly diagnosticsTraceLevel: pulumi.Output<string | undefined>;
  declare public readonly defaultEndpointName: pulumi.Output<string>;
  declare public readonly http: pulumi.Output<HttpSettings | undefined>;
  /** Execution base URL: BES `{apiLocation}/jobs`, RRS `{apiLocation}/execute`. */
  declare public readonly apiLocation: pulumi.Output<string>;
  declare public readonly helpLocation: pulumi.Output<string | undefined>;
  /** Management URL of this endpoint: the URL Update Resource (PATCH) targets. */
  declare public readonly patchUrl: pulumi.Output<string>;
  /** Secret: the endpoint's primary key (BES/RRS and PATCH auth). */
  declare public readonly primaryKey: pulumi.Output<string>;
  /** Secret. */
  declare public readonly secondaryKey: pulumi.Output<string>;
  declare public readonly trainedModelResourceNames: pulumi.Output<string[]>;
  declare public readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: ScoringEndpointArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        ...refuseImport(opts).input,
        ...args,
        resourceName: name,
        // With the resource name, the owner marker create writes into the endpoint's Description (endpointOwner.ts).
        owner: stackIdentity(),
        workspaceToken: pulumi.secret(args.workspaceToken),
        region: args.region,
        managementBaseUrl: args.managementBaseUrl,
        description: args.description,
        throttleLevel: args.throttleLevel,
        maxConcurrentCalls: args.maxConcurrentCalls,
        diagnosticsTraceLevel: args.diagnosticsTraceLevel,
        defaultEndpointName: args.defaultEndpointName,
        http: args.http,
        apiLocation: undefined,
        helpLocation: undefined,
        patchUrl: undefined,
        primaryKey: undefined,
        secondaryKey: undefined,
        trainedModelResourceNames: undefined,
        adopted: undefined,
      },
      { ...refuseImport(opts).opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "primaryKey", "secondaryKey", "workspaceToken"] },
      "azureml",
      TYPE,
    );
  }
}
