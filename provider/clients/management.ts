/**
 * Classic management wire client (contract §1): hosts per region, endpoint and web service URLs, and the
 * endpoint/web service bodies converted to camelCase here.
 */
import { HttpSettings, RetryMode, joinUrl, prop, send, toServiceError } from "../transport";

/** Classic regions (contract §1.2) and their management hosts. */
export const CLASSIC_REGIONS: Readonly<Record<string, string>> = {
  ussouthcentral: "https://management.azureml.net",
  europewest: "https://europewest.management.azureml.net",
  asiasoutheast: "https://asiasoutheast.management.azureml.net",
  japaneast: "https://japaneast.management.azureml.net",
  uswestcentral: "https://uswestcentral.management.azureml.net",
  germanycentral: "https://germanycentral.management.azureml.de",
};
export const DEFAULT_CLASSIC_REGION = "ussouthcentral";

export function defaultManagementBaseUrl(region: string): string {
  return CLASSIC_REGIONS[region] ?? `https://${region}.management.azureml.net`;
}


/** Management URL of an endpoint (M4/M5/M6/M8) — also the "PATCH URL" users hand to other tools. */
export function endpointUrl(managementBaseUrl: string, workspaceId: string, webServiceId: string, endpointName: string): string {
  return joinUrl(
    managementBaseUrl,
    `workspaces/${encodeURIComponent(workspaceId)}/webservices/${encodeURIComponent(webServiceId)}/endpoints/${encodeURIComponent(endpointName)}`,
  );
}

export function webServiceUrl(managementBaseUrl: string, workspaceId: string, webServiceId: string): string {
  return joinUrl(managementBaseUrl, `workspaces/${encodeURIComponent(workspaceId)}/webservices/${encodeURIComponent(webServiceId)}`);
}


/** One updatable resource of an endpoint; its SAS is deliberately not kept. */
export interface EndpointResourceInfo {
  name: string;
  kind?: string;
  baseLocation?: string;
  relativeLocation?: string;
}

export interface EndpointInfo {
  name: string;
  description?: string;
  webServiceId?: string;
  apiLocation?: string;
  helpLocation?: string;
  primaryKey?: string;
  secondaryKey?: string;
  maxConcurrentCalls?: number;
  throttleLevel?: string;
  diagnosticsTraceLevel?: string;
  version?: string;
  resources: EndpointResourceInfo[];
}

export interface WebServiceInfo {
  id?: string;
  name?: string;
  defaultEndpointName?: string;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function parseEndpoint(body: unknown): EndpointInfo {
  const resources = prop<unknown[]>(body, "Resources");
  return {
    name: str(prop(body, "Name")) ?? "",
    description: str(prop(body, "Description")),
    webServiceId: str(prop(body, "WebServiceId")),
    apiLocation: str(prop(body, "ApiLocation")),
    helpLocation: str(prop(body, "HelpLocation")),
    primaryKey: str(prop(body, "PrimaryKey")),
    secondaryKey: str(prop(body, "SecondaryKey")),
    maxConcurrentCalls: typeof prop(body, "MaxConcurrentCalls") === "number" ? (prop(body, "MaxConcurrentCalls") as number) : undefined,
    throttleLevel: str(prop(body, "ThrottleLevel")),
    diagnosticsTraceLevel: str(prop(body, "DiagnosticsTraceLevel")),
    version: str(prop(body, "Version")),
    resources: (Array.isArray(resources) ? resources : []).map((r) => {
      const loc = prop(r, "Location");
      return {
        name: str(prop(r, "Name")) ?? "",
        kind: str(prop(r, "Kind")),
        baseLocation: str(prop(loc, "BaseLocation")),
        relativeLocation: str(prop(loc, "RelativeLocation")),
      };
    }),
  };
}

export interface ClassicCoordinates {
  managementBaseUrl: string;
  workspaceId: string;
  webServiceId: string;
  /** Workspace token or endpoint key. */
  token: string;
  http?: HttpSettings;
}

/** M2 — the web service, or undefined on 404. */
export async function getWebService(c: ClassicCoordinates): Promise<WebServiceInfo | undefined> {
  const res = await send({ surface: "management", method: "GET", url: webServiceUrl(c.managementBaseUrl, c.workspaceId, c.webServiceId), bearer: c.token, settings: c.http });
  return {
    id: str(prop(res.data, "Id")),
    name: str(prop(res.data, "Name")),
    defaultEndpointName: str(prop(res.data, "DefaultEndpointName")),
  };
}

/** M4 — the endpoint, or undefined when the endpoint (not the workspace or web service) does not exist. */
export async function getEndpoint(c: ClassicCoordinates, endpointName: string): Promise<EndpointInfo | undefined> {
  const res = await send({
    surface: "management",
    method: "GET",
    url: endpointUrl(c.managementBaseUrl, c.workspaceId, c.webServiceId, endpointName),
    bearer: c.token,
    acceptStatus: [404],
    settings: c.http,
  });
  if (res.status === 404) {
    // A 404 for a missing workspace or web service is an error, not "no such endpoint" (contract E1/E2/E7).
    const err = toServiceError({ method: "GET", url: endpointUrl(c.managementBaseUrl, c.workspaceId, c.webServiceId, endpointName), surface: "management" }, 404, res.headers, res.data);
    if (["WorkspaceNotFound", "WebServiceNotFound", "WebServiceIdNotFoundInWorkspace"].includes(err.code)) throw err;
    return undefined;
  }
  if (res.status === 204 || res.data === undefined) return undefined;
  return parseEndpoint(res.data);
}

/** M5 — create (PUT) an added endpoint; the endpoint when the answer carries one. */
export async function putEndpoint(c: ClassicCoordinates, endpointName: string, body: unknown): Promise<EndpointInfo | undefined> {
  const res = await send({ surface: "management", method: "PUT", url: endpointUrl(c.managementBaseUrl, c.workspaceId, c.webServiceId, endpointName), bearer: c.token, body, settings: c.http });
  return res.data && typeof res.data === "object" && prop(res.data, "ApiLocation") ? parseEndpoint(res.data) : undefined;
}

/** M6/M7 — PATCH an endpoint's settings or its trained-model resource; the endpoint when the answer carries one. */
export async function patchEndpoint(c: ClassicCoordinates, endpointName: string, body: unknown, retry?: RetryMode): Promise<EndpointInfo | undefined> {
  const res = await send({ surface: "management", method: "PATCH", url: endpointUrl(c.managementBaseUrl, c.workspaceId, c.webServiceId, endpointName), bearer: c.token, body, retry, settings: c.http });
  return res.data && typeof res.data === "object" && "Name" in (res.data as object) ? parseEndpoint(res.data) : undefined;
}

/** M8 — delete an endpoint; 404 counts as done. */
export async function deleteEndpoint(c: ClassicCoordinates, endpointName: string): Promise<void> {
  await send({ surface: "management", method: "DELETE", url: endpointUrl(c.managementBaseUrl, c.workspaceId, c.webServiceId, endpointName), bearer: c.token, acceptStatus: [404], settings: c.http });
}
