/** ARM `Microsoft.MachineLearning/webServices` (contract §4), camelCase, as stored (the 2017-01-01 form). */
import { Shape } from "./casing";
import { ARM_PREVIEW_VERSION, versionedProperties } from "./armVersions";

export { ARM_API_VERSIONS } from "./armVersions";
export const ARM_RESOURCE_TYPE = "Microsoft.MachineLearning/webServices";

export interface AssetItem {
  name: string;
  id?: string;
  type: "Module" | "Resource";
  locationInfo: { uri: string; credentials?: string };
  inputPorts?: Record<string, { type: string }>;
  outputPorts?: Record<string, { type: string }>;
  metadata?: Record<string, string>;
  parameters?: unknown[];
}

export interface WebServiceProperties {
  packageType: "Graph";
  title?: string;
  description?: string;
  createdOn?: string;
  modifiedOn?: string;
  provisioningState?: "Unknown" | "Provisioning" | "Succeeded" | "Failed";
  keys?: { primary?: string; secondary?: string };
  readOnly?: boolean;
  swaggerLocation?: string;
  exposeSampleData?: boolean;
  realtimeConfiguration?: { maxConcurrentCalls?: number };
  diagnostics?: { level: "None" | "Error" | "All"; expiry?: string | null };
  storageAccount?: { name?: string; key?: string };
  machineLearningWorkspace?: { id: string };
  commitmentPlan?: { id: string };
  input?: { title?: string; description?: string; type?: string; properties?: Record<string, unknown> };
  output?: { title?: string; description?: string; type?: string; properties?: Record<string, unknown> };
  exampleRequest?: unknown;
  assets?: Record<string, AssetItem>;
  parameters?: Record<string, unknown>;
  payloadsInBlobStorage?: boolean;
  payloadsLocation?: unknown;
  package?: unknown;
  [other: string]: unknown;
}

export interface WebServiceResource {
  id?: string;
  name?: string;
  type?: string;
  location: string;
  tags?: Record<string, string>;
  properties: WebServiceProperties;
}

export interface AsyncOperationStatus {
  id: string;
  name: string;
  status: "Provisioning" | "Succeeded" | "Failed";
  provisioningState: "Provisioning" | "Succeeded" | "Failed";
  startTime: string;
  endTime?: string;
  percentComplete: number;
  errorInfo?: { code: string; message: string; target?: string; details?: Array<{ code: string; message: string }> };
  /** The same failure in ARM's common shape, which generic clients (Microsoft's node SDK) read (issue 19). */
  error?: { code: string; message: string; target?: string; details?: Array<{ code: string; message: string }> };
}

const ASSET_SHAPE: Shape = {
  name: true,
  id: true,
  type: true,
  locationInfo: { uri: true, credentials: true },
  inputPorts: true,
  outputPorts: true,
  metadata: true,
  parameters: true,
};

/** `{ value, certificateThumbprint }` (2017-01-01); a preview string is left as it is. */
const PARAMETERS_SHAPE: Shape = { $map: { value: true, certificateThumbprint: true } };

/** Microsoft's recorded examples spell the graph in PascalCase (`InputId`, `SourceNodeId`, `Value`); stored camelCase. */
const PACKAGE_SHAPE: Shape = {
  nodes: { $map: { assetId: true, inputId: true, outputId: true, parameters: PARAMETERS_SHAPE } },
  edges: [{ sourceNodeId: true, sourcePortId: true, targetNodeId: true, targetPortId: true }],
  graphParameters: { $map: { description: true, type: true, links: [{ nodeId: true, parameterKey: true }] } },
};

export const WEB_SERVICE_SHAPE: Shape = {
  id: true,
  name: true,
  type: true,
  location: true,
  tags: true,
  properties: {
    packageType: true,
    title: true,
    description: true,
    createdOn: true,
    modifiedOn: true,
    provisioningState: true,
    keys: { primary: true, secondary: true },
    readOnly: true,
    swaggerLocation: true,
    exposeSampleData: true,
    realtimeConfiguration: { maxConcurrentCalls: true },
    diagnostics: { level: true, expiry: true },
    storageAccount: { name: true, key: true },
    machineLearningWorkspace: { id: true },
    commitmentPlan: { id: true },
    input: true,
    output: true,
    exampleRequest: true,
    assets: { $map: ASSET_SHAPE },
    parameters: PARAMETERS_SHAPE,
    payloadsInBlobStorage: true,
    payloadsLocation: true,
    package: PACKAGE_SHAPE,
  },
};

const asset = {
  type: "object",
  required: ["name", "type", "locationInfo"],
  properties: {
    name: { type: "string" },
    type: { type: "string", enum: ["Module", "Resource"] },
    locationInfo: { type: "object", required: ["uri"], properties: { uri: { type: "string" }, credentials: { type: "string" } } },
  },
};

const properties = {
  type: "object",
  properties: {
    packageType: { type: "string", enum: ["Graph"] },
    title: { type: "string" },
    description: { type: "string" },
    readOnly: { type: "boolean" },
    exposeSampleData: { type: "boolean" },
    realtimeConfiguration: { type: "object", properties: { maxConcurrentCalls: { type: "integer", minimum: 4, maximum: 200 } } },
    diagnostics: { type: "object", required: ["level"], properties: { level: { type: "string", enum: ["None", "Error", "All"] } } },
    storageAccount: { type: "object", properties: { name: { type: "string" }, key: { type: "string" } } },
    machineLearningWorkspace: { type: "object", required: ["id"], properties: { id: { type: "string" } } },
    commitmentPlan: { type: "object", required: ["id"], properties: { id: { type: "string" } } },
    assets: { type: "object", additionalProperties: asset },
    keys: { type: "object", properties: { primary: { type: "string" }, secondary: { type: "string" } } },
  },
};

/**
 * The body schema of a PUT or PATCH under `version`. Both versions require `packageType` wherever `properties` is
 * given (it is the discriminator of WebServiceProperties); a PUT needs `location` and `properties`, and so does a
 * PATCH under 2016-05-01-preview, whose Resource requires `location` and WebService `properties`.
 */
export function webServiceBodySchema(method: "PUT" | "PATCH", version: string): Record<string, unknown> {
  const needsResource = method === "PUT" || version === ARM_PREVIEW_VERSION;
  return {
    type: "object",
    ...(needsResource ? { required: ["location", "properties"] } : {}),
    properties: {
      location: { type: "string", minLength: 1 },
      tags: { type: "object", additionalProperties: { type: "string" } },
      properties: { ...properties, required: ["packageType"], properties: { ...properties.properties, ...versionedProperties(version) } },
    },
  };
}

/** ARM location display names → classic execution region prefixes (contract §4.10). */
export const LOCATION_REGIONS: Record<string, string> = {
  southcentralus: "ussouthcentral",
  westeurope: "europewest",
  southeastasia: "asiasoutheast",
  japaneast: "japaneast",
  westcentralus: "uswestcentral",
  germanycentral: "germanycentral",
};

/** Region prefix → the ARM location display name the seed uses. */
export const REGION_LOCATIONS: Record<string, string> = {
  ussouthcentral: "South Central US",
  europewest: "West Europe",
  asiasoutheast: "Southeast Asia",
  japaneast: "Japan East",
  uswestcentral: "West Central US",
  germanycentral: "Germany Central",
};

export function regionOfLocation(location: string): string {
  const key = location.replace(/\s+/g, "").toLowerCase();
  return LOCATION_REGIONS[key] ?? key;
}
