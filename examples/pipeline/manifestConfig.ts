/** Stack config for this example from the emulator's manifest: the local example's keys plus the pipeline endpoint's. */
import type { EmulatorManifest } from "../../emulator/manifest";
import { StackConfig, configFromManifest } from "../local/manifestConfig";

export function pipelineConfigFromManifest(manifest: EmulatorManifest, datasetPath: string): StackConfig {
  const p = manifest.pipelines;
  return {
    ...configFromManifest(manifest, datasetPath),
    pipelinesBaseUrl: { value: p.baseUrl },
    pipelinesWorkspaceArmId: {
      value: `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${p.workspaceName}`,
    },
    pipelineEndpointId: { value: p.pipelineEndpointId },
    pipelineExperimentName: { value: p.experimentName },
    pipelineDataPathParameter: { value: p.dataPathParameter },
    pipelinesToken: { value: p.token, secret: true },
  };
}
