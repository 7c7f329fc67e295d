/** What a binding's reads need known (check and diff skip a read whose inputs are still unknown in preview). */
import type { TrainedModelBindingInputs } from "../targets/target";
import { isUnknown } from "../validation";

/** What a target preflight needs known; a classic endpoint still being created is read with the workspace token. */
export function targetOnly(i: TrainedModelBindingInputs): unknown {
  if (i.targetKind === "arm") return [i.armBaseUrl, i.subscriptionId, i.resourceGroup, i.webServiceName, i.armToken, i.trainedModelName];
  const credential = isUnknown(i.endpointKey) ? i.workspaceToken : [i.endpointKey, i.workspaceToken];
  return [i.managementBaseUrl, i.workspaceId, i.webServiceId, i.endpointName, credential, i.trainedModelName];
}

export function storageOnly(i: TrainedModelBindingInputs): unknown {
  return [i.storageAccountName, i.storageBlobEndpoint, i.storageAccountKey, i.storageUserDelegationKey, i.model];
}
