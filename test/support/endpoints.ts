/** Added endpoints created through the ScoringEndpoint lifecycle (no engine), for integration tests of bindings and waves. */
import type { EmulatorManifest } from "../../emulator/manifest";
import { scoringEndpointProvider, ScoringEndpointInputs, ScoringEndpointState } from "../../provider/lifecycle/scoringEndpoint";
import type { HttpSettings } from "../../provider/transport";
import { uniqueName } from "./storage";

/** Retries short enough that a failing test fails fast. */
export const FAST_HTTP: HttpSettings = { retryBaseDelayMs: 10, maxRetries: 1, timeoutSeconds: 10 };

export async function createAddedEndpoint(manifest: EmulatorManifest, prefix: string, http: HttpSettings = FAST_HTTP): Promise<ScoringEndpointState> {
  const { classic } = manifest;
  const inputs: Partial<ScoringEndpointInputs> = {
    resourceName: "ep", workspaceId: classic.workspaceId, webServiceId: classic.predictiveService.id, endpointName: uniqueName(prefix),
    workspaceToken: classic.workspaceToken, region: classic.region, managementBaseUrl: classic.managementBaseUrl, http,
  };
  const checked = await scoringEndpointProvider.check!({} as never, inputs as never);
  if (checked.failures?.length) throw new Error(`endpoint inputs refused: ${JSON.stringify(checked.failures)}`);
  return (await scoringEndpointProvider.create!(checked.inputs as ScoringEndpointInputs)).outs as ScoringEndpointState;
}
