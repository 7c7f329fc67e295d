/**
 * Execution targets (BES and RRS): a classic endpoint (`/workspaces/{ws}/services/{epId}`) or an ARM web service
 * (`/subscriptions/{id32}/services/{svcId}`), resolved from the URL into one shape the handlers use.
 */
import { authorizesExecution } from "./auth";
import type { EmulatorContext } from "./context";
import type { Credential, ModelBinding, OutputSpec, WebServiceKind } from "./store";
import { regionOfLocation } from "./wire/arm";

export interface ExecutionParams {
  region: string;
  ws?: string;
  sub?: string;
  id: string;
}

export interface ExecutionTarget {
  id: string;
  /** Endpoint or web service name, as the throttling message names it. */
  name: string;
  kind: WebServiceKind;
  title: string;
  description: string;
  apiLocationPath: string;
  inputs: string[];
  outputs: OutputSpec[];
  inputColumns: string[];
  maxConcurrentCalls: number;
  /** The trained-model binding RRS scores with, if any. */
  binding?: ModelBinding;
  authorizes(credential: Credential | undefined): boolean;
}

/** ARM web services without realtimeConfiguration. */
export const DEFAULT_ARM_MAX_CONCURRENT_CALLS = 20;
const ARM_INPUT_COLUMNS_FALLBACK: string[] = [];

export function resolveTarget(ctx: EmulatorContext, params: ExecutionParams): ExecutionTarget | undefined {
  if (params.ws !== undefined) {
    const ep = ctx.stores.classic.getEndpointById(params.id);
    if (!ep || ep.workspaceId !== params.ws) return undefined;
    const workspace = ctx.stores.classic.getWorkspace(ep.workspaceId);
    const svc = ctx.stores.classic.getWebService(ep.webServiceId);
    if (!workspace || !svc || workspace.region !== params.region) return undefined;
    return {
      id: ep.id,
      name: ep.name,
      kind: svc.kind,
      title: svc.name,
      description: ep.description,
      apiLocationPath: `/services/${params.region}/workspaces/${ep.workspaceId}/services/${ep.id}`,
      inputs: svc.inputs,
      outputs: svc.outputs,
      inputColumns: svc.inputColumns,
      maxConcurrentCalls: ep.maxConcurrentCalls,
      binding: ep.resources[0],
      authorizes: (c) => authorizesExecution(c, { endpointId: ep.id }),
    };
  }
  const service = ctx.stores.arm.getServiceById(params.id);
  if (!service || service.subscriptionId.replace(/-/g, "").toLowerCase() !== (params.sub ?? "").toLowerCase()) return undefined;
  if (regionOfLocation(service.resource.location) !== params.region) return undefined;
  const props = service.resource.properties;
  const inputs = Object.keys(props.input?.properties ?? {});
  const outputs = Object.keys(props.output?.properties ?? {});
  const firstInput = props.input?.properties?.[inputs[0]] as { properties?: Record<string, unknown> } | undefined;
  const binding = Object.values(service.bindings)[0];
  return {
    id: service.serviceId,
    name: service.name,
    kind: "predictive",
    title: props.title ?? service.name,
    description: props.description ?? "",
    apiLocationPath: `/services/${params.region}/subscriptions/${params.sub}/services/${service.serviceId}`,
    inputs: inputs.length ? inputs : ["input1"],
    outputs: (outputs.length ? outputs : ["output1"]).map((name) => ({ name, kind: "scored", extension: ".csv" })),
    inputColumns: firstInput?.properties ? Object.keys(firstInput.properties) : ARM_INPUT_COLUMNS_FALLBACK,
    maxConcurrentCalls: props.realtimeConfiguration?.maxConcurrentCalls ?? DEFAULT_ARM_MAX_CONCURRENT_CALLS,
    binding,
    authorizes: (c) => authorizesExecution(c, { armServiceKey: service.key }),
  };
}
