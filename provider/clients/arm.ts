/** ARM wire client (contract §4): `Microsoft.MachineLearning/webServices` URLs and api-version. */
import { HttpSettings, RetryMode, joinUrl, prop, send, withQuery } from "../transport";

export const DEFAULT_ARM_BASE_URL = "https://management.azure.com";
export const ARM_API_VERSION = "2017-01-01";

/** ARM URL of a `Microsoft.MachineLearning/webServices` resource (A1/A3), with api-version. */
export function armWebServiceUrl(armBaseUrl: string, subscriptionId: string, resourceGroup: string, name: string, suffix = ""): string {
  const path =
    `subscriptions/${encodeURIComponent(subscriptionId)}/resourceGroups/${encodeURIComponent(resourceGroup)}` +
    `/providers/Microsoft.MachineLearning/webServices/${encodeURIComponent(name)}${suffix}`;
  return withQuery(joinUrl(armBaseUrl, path), { "api-version": ARM_API_VERSION });
}

/** Where an ARM web service is and how to authenticate (an AAD bearer token for https://management.azure.com/). */
export interface ArmCoordinates {
  armBaseUrl: string;
  subscriptionId: string;
  resourceGroup: string;
  webServiceName: string;
  token: string;
  http?: HttpSettings;
}

function serviceUrl(c: ArmCoordinates, suffix = ""): string {
  return armWebServiceUrl(c.armBaseUrl, c.subscriptionId, c.resourceGroup, c.webServiceName, suffix);
}

/** A1 — the web service definition, or undefined on 404 when `allowMissing`. */
export async function getWebServiceDefinition(c: ArmCoordinates, allowMissing = false): Promise<unknown | undefined> {
  const res = await send({ surface: "arm", method: "GET", url: serviceUrl(c), bearer: c.token, acceptStatus: allowMissing ? [404] : [], settings: c.http });
  return res.status === 404 ? undefined : res.data;
}

/** A3 — PATCH the definition; returns the async operation URL (A10) when the service gives one. */
export async function patchWebServiceDefinition(c: ArmCoordinates, body: unknown, retry?: RetryMode): Promise<string | undefined> {
  const res = await send({ surface: "arm", method: "PATCH", url: serviceUrl(c), bearer: c.token, body, retry, settings: c.http });
  return res.headers["azure-asyncoperation"] ?? res.headers["location"];
}

/** A10 or A1 — the state of an update in progress: the operation's status, or the service's provisioningState. */
export async function getProvisioningState(c: ArmCoordinates, asyncUrl?: string): Promise<{ state: string; errorInfo?: unknown; retryAfter?: string }> {
  const res = await send({ surface: "arm", method: "GET", url: asyncUrl ?? serviceUrl(c), bearer: c.token, settings: c.http });
  if (asyncUrl) {
    return { state: String(prop(res.data, "status") ?? prop(res.data, "provisioningState") ?? ""), errorInfo: prop(res.data, "errorInfo") ?? prop(res.data, "error"), retryAfter: res.headers["retry-after"] };
  }
  return { state: String(prop(prop(res.data, "properties"), "provisioningState") ?? ""), retryAfter: res.headers["retry-after"] };
}

/** A5 — the web service's primary scoring key. */
export async function listWebServiceKeys(c: ArmCoordinates): Promise<string> {
  const res = await send({ surface: "arm", method: "GET", url: serviceUrl(c, "/listKeys"), bearer: c.token, settings: c.http });
  return String(prop(res.data, "primary") ?? "");
}
