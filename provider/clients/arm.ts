/** ARM wire client (contract §4): `Microsoft.MachineLearning/webServices` URLs and api-version. */
import { joinUrl, withQuery } from "../transport";

export const DEFAULT_ARM_BASE_URL = "https://management.azure.com";
export const ARM_API_VERSION = "2017-01-01";

/** ARM URL of a `Microsoft.MachineLearning/webServices` resource (A1/A3), with api-version. */
export function armWebServiceUrl(armBaseUrl: string, subscriptionId: string, resourceGroup: string, name: string, suffix = ""): string {
  const path =
    `subscriptions/${encodeURIComponent(subscriptionId)}/resourceGroups/${encodeURIComponent(resourceGroup)}` +
    `/providers/Microsoft.MachineLearning/webServices/${encodeURIComponent(name)}${suffix}`;
  return withQuery(joinUrl(armBaseUrl, path), { "api-version": ARM_API_VERSION });
}
