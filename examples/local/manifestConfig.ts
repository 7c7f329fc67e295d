/**
 * Stack config for this example from the emulator's manifest (emulator/README.md). `npm start` and the engine
 * tests use it; secrets are marked secret so they are encrypted in Pulumi.<stack>.yaml and in state.
 */
import type { EmulatorManifest } from "../../emulator/manifest";

export type StackConfig = Record<string, { value: string; secret?: boolean }>;

export function configFromManifest(manifest: EmulatorManifest, datasetPath: string): StackConfig {
  const { classic, arm, storage, containers } = manifest;
  return {
    storageAccountName: { value: storage.accountName },
    storageBlobEndpoint: { value: storage.blobEndpoint },
    storageAccountKey: { value: storage.accountKey, secret: true },
    trainingApiLocation: { value: classic.trainingService.apiLocation },
    trainingApiKey: { value: classic.trainingService.primaryKey, secret: true },
    datasetContainer: { value: containers.training },
    datasetPath: { value: datasetPath },
    modelContainer: { value: containers.models },
    workspaceId: { value: classic.workspaceId },
    workspaceToken: { value: classic.workspaceToken, secret: true },
    region: { value: classic.region },
    managementBaseUrl: { value: classic.managementBaseUrl },
    predictiveServiceId: { value: classic.predictiveService.id },
    trainedModelName: { value: classic.predictiveService.trainedModelResourceName },
    armBaseUrl: { value: arm.baseUrl },
    armToken: { value: arm.token, secret: true },
    armSubscriptionId: { value: arm.subscriptionId },
    armResourceGroup: { value: arm.resourceGroup },
    armWebServiceName: { value: arm.webServiceName },
    armTrainedModelName: { value: arm.trainedModelAssetName },
  };
}
