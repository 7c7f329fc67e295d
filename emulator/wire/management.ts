/** Classic management API (contract §1), spelled as the contract spells it (PascalCase). */
import { Shape } from "./casing";

export interface AzureBlobDetails {
  BaseLocation: string;
  RelativeLocation: string;
  SasBlobToken: string;
}

export interface EndpointResource {
  Name: string;
  Kind: "TrainedModel";
  Location: AzureBlobDetails;
}

export interface WebService {
  Id: string;
  Name: string;
  Description: string;
  CreationTime: string;
  WorkspaceId: string;
  DefaultEndpointName: string;
  EndpointCount: number;
}

export interface Endpoint {
  Name: string;
  Description: string;
  CreationTime: string;
  WorkspaceId: string;
  WebServiceId: string;
  HelpLocation: string;
  PrimaryKey: string;
  SecondaryKey: string;
  ApiLocation: string;
  ExperimentLocation: string;
  Version: string;
  MaxConcurrentCalls: number;
  DiagnosticsTraceLevel: "None" | "Error" | "All";
  ThrottleLevel: "Low" | "High";
  PreventUpdate: boolean;
  SampleDataEnabled: boolean;
  Resources: EndpointResource[];
}

/** M5 body. `PreventUpdate`, `WebServiceId` and `EndpointName` are tolerated (contract §1.5). */
export interface AddEndpointRequest {
  Description?: string;
  ThrottleLevel?: "Low" | "High";
  MaxConcurrentCalls?: number;
  PreventUpdate?: boolean;
  WebServiceId?: string;
  EndpointName?: string;
}

/** M6 body. */
export interface PatchEndpointRequest {
  Description?: string;
  DiagnosticsTraceLevel?: "None" | "Error" | "All";
  ThrottleLevel?: "Low" | "High";
  MaxConcurrentCalls?: number;
  Resources?: Array<{ Name: string; Kind?: string; Location: Partial<AzureBlobDetails> }>;
}

/** M7 body; a community client sends the boolean as a string. */
export interface RefreshEndpointRequest {
  OverwriteResources?: boolean | "True" | "False" | "true" | "false";
}

const LOCATION_SHAPE: Shape = { BaseLocation: true, RelativeLocation: true, SasBlobToken: true };
export const ADD_ENDPOINT_SHAPE: Shape = { Description: true, ThrottleLevel: true, MaxConcurrentCalls: true, PreventUpdate: true, WebServiceId: true, EndpointName: true };
export const PATCH_ENDPOINT_SHAPE: Shape = {
  Description: true,
  DiagnosticsTraceLevel: true,
  ThrottleLevel: true,
  MaxConcurrentCalls: true,
  Resources: [{ Name: true, Kind: true, Location: LOCATION_SHAPE }],
};
export const REFRESH_ENDPOINT_SHAPE: Shape = { OverwriteResources: true };

const throttleLevel = { type: "string", enum: ["Low", "High"] };
const maxConcurrentCalls = { type: "integer", minimum: 1, maximum: 200 };
const description = { type: "string", maxLength: 2000 };

export const ADD_ENDPOINT_SCHEMA = {
  type: "object",
  properties: {
    Description: description,
    ThrottleLevel: throttleLevel,
    MaxConcurrentCalls: maxConcurrentCalls,
    PreventUpdate: { type: "boolean" },
    WebServiceId: { type: "string" },
    EndpointName: { type: "string" },
  },
} as const;

export const PATCH_ENDPOINT_SCHEMA = {
  type: "object",
  properties: {
    Description: description,
    DiagnosticsTraceLevel: { type: "string", enum: ["None", "Error", "All"] },
    ThrottleLevel: throttleLevel,
    MaxConcurrentCalls: maxConcurrentCalls,
    Resources: {
      type: "array",
      items: {
        type: "object",
        required: ["Name", "Location"],
        properties: {
          Name: { type: "string", minLength: 1 },
          Kind: { type: "string" },
          Location: {
            type: "object",
            required: ["BaseLocation", "RelativeLocation"],
            properties: { BaseLocation: { type: "string", minLength: 1 }, RelativeLocation: { type: "string", minLength: 1 }, SasBlobToken: { type: "string" } },
          },
        },
      },
    },
  },
} as const;

export const REFRESH_ENDPOINT_SCHEMA = {
  type: "object",
  properties: { OverwriteResources: { anyOf: [{ type: "boolean" }, { type: "string", enum: ["True", "False", "true", "false"] }] } },
} as const;

/** Endpoint names (contract §1.4): ≤ 24 chars, lowercase letters, digits, hyphens not first or last. */
export const ENDPOINT_NAME_PATTERN = /^(?=.{1,24}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** Classic ids: 32 lowercase hex characters without dashes. */
export const CLASSIC_ID_PATTERN = /^[0-9a-f]{32}$/;

export const WORKSPACE_PARAMS = {
  type: "object",
  required: ["region", "ws"],
  properties: { region: { type: "string" }, ws: { type: "string" } },
} as const;
