/**
 * The classic endpoint as a scoring target: one PATCH of the endpoint's trained-model resource with a blob SAS
 * minted at apply time (contract §1.5 M6, §8.1); read bound = the endpoint's resource location (M4).
 */
import { EndpointInfo, getEndpoint, patchEndpoint } from "../clients/management";
import { DEFAULT_SAS_LIFETIME_MINUTES, blobEndpointOf, mintSas } from "../clients/storage";
import { failure, formatFailure, isServiceError } from "../errors";
import { DEFAULT_ENDPOINT_NAME, InputFailure, isUnknown } from "../validation";
import { ScoringTarget, TYPE, TrainedModelBindingInputs, nameOf, relativeOf, secretsOf, storageOf, targetProperty, writeOnce } from "./target";

function coords(i: TrainedModelBindingInputs) {
  return {
    managementBaseUrl: i.managementBaseUrl as string,
    workspaceId: i.workspaceId as string,
    webServiceId: i.webServiceId as string,
    token: (i.endpointKey || i.workspaceToken) as string,
    http: i.http,
  };
}

/** The endpoint must have updatable resources (not a training service) and one with exactly this Name. */
export function checkResourceName(ep: EndpointInfo, trainedModelName: string): InputFailure[] {
  if (ep.resources.length === 0) {
    return [
      {
        property: "endpointName",
        reason: `endpoint "${ep.name}" has no updatable resources: it belongs to a training web service`,
        fix: "This Web Service has no updatable resources: bind an added endpoint of the predictive web service (contract §1.6, E6)",
      },
    ];
  }
  if (!ep.resources.some((r) => r.name === trainedModelName)) {
    return [
      {
        property: "trainedModelName",
        reason: `"${trainedModelName}" is not an updatable resource of endpoint "${ep.name}"`,
        fix: `Use the exact Name, one of ${ep.resources.map((r) => `"${r.name}"`).join(", ")} (contract §1.5 M6, E10)`,
      },
    ];
  }
  return [];
}

function bindHint(err: unknown): string | undefined {
  if (!isServiceError(err)) return undefined;
  if (err.status === 400 || err.status === 404) {
    return "Check trainedModelName against the endpoint's updatable resources (ScoringEndpoint.trainedModelResourceNames), that the endpoint is an added endpoint of the predictive web service, and that the model blob is readable";
  }
  return undefined;
}

/**
 * With an endpoint key the binding's reads and writes never use the workspace token, so a mistyped one would pass
 * silently until the day the key is dropped (issue 18): one read with the token proves it at preview.
 */
async function workspaceTokenFailures(i: TrainedModelBindingInputs): Promise<InputFailure[]> {
  if (typeof i.workspaceToken !== "string" || i.workspaceToken === "" || isUnknown(i.workspaceToken) || i.workspaceToken === i.endpointKey) return [];
  try {
    await getEndpoint({ ...coords(i), token: i.workspaceToken }, i.endpointName as string);
    return [];
  } catch (err) {
    const denied = isServiceError(err) && (err.status === 401 || err.status === 403);
    return [{
      property: denied ? "workspaceToken" : targetProperty(i, err),
      reason: formatFailure(TYPE, nameOf(i), "preview read of the target with workspaceToken", err, undefined, secretsOf(i)),
      fix: denied ? "Nothing was written. Pass the workspace's authorization token as workspaceToken, or leave workspaceToken out when endpointKey is given" : "Nothing was written",
    }];
  }
}

export const classicTarget: ScoringTarget = {
  async preflight(i) {
    // A ScoringEndpoint created in this same update has no key yet (unknown in preview): read with the workspace
    // token, and take the trained-model names from the web service's default endpoint, which every added endpoint
    // copies (contract §1.6). So a wrong trainedModelName fails preview before the endpoint is created (issue 11).
    const pending = isUnknown(i.endpointKey);
    const c = pending ? { ...coords(i), token: i.workspaceToken as string } : coords(i);
    try {
      let ep = await getEndpoint(c, i.endpointName as string);
      if (!ep && pending) ep = await getEndpoint(c, i.defaultEndpointName ?? DEFAULT_ENDPOINT_NAME);
      if (!ep) {
        return [{ property: "endpointName", reason: `endpoint "${i.endpointName}" does not exist on web service ${i.webServiceId}`, fix: "Create it with a ScoringEndpoint, or fix endpointName" }];
      }
      const names = checkResourceName(ep, i.trainedModelName);
      return names.length > 0 || pending ? names : await workspaceTokenFailures(i);
    } catch (err) {
      return [{ property: targetProperty(i, err), reason: formatFailure(TYPE, nameOf(i), "preview read of the target", err, undefined, secretsOf(i)), fix: "Nothing was written" }];
    }
  },

  async bind(i, progress) {
    const target = relativeOf(i.model);
    // Minted now, valid for minutes, never stored: a PATCH can no longer carry an expired SAS.
    const sas = mintSas({ access: storageOf(i), container: i.model.container, path: i.model.path, permissions: "r", lifetimeMinutes: i.sasLifetimeMinutes ?? DEFAULT_SAS_LIFETIME_MINUTES });
    const body = {
      Resources: [{ Name: i.trainedModelName, Location: { BaseLocation: blobEndpointOf(storageOf(i)), RelativeLocation: target, SasBlobToken: sas } }],
    };
    try {
      await writeOnce(
        () => patchEndpoint(coords(i), i.endpointName as string, body, "answered-only"),
        async () => (await classicTarget.readBound(i)).relative === target,
      );
    } catch (err) {
      throw failure(TYPE, nameOf(i), `bind model ${target} (PATCH endpoint "${i.endpointName}")`, err, bindHint(err), [...secretsOf(i), sas]);
    }
    progress.written = true;
    return { apiLocation: i.apiLocation, probeKey: i.endpointKey };
  },

  async readBound(i) {
    const ep = await getEndpoint(coords(i), i.endpointName as string);
    if (!ep) return { gone: true, settled: false };
    const r = ep.resources.find((x) => x.name === i.trainedModelName);
    return { gone: false, relative: r?.relativeLocation?.replace(/^\/+/, ""), settled: true, apiLocation: ep.apiLocation, probeKey: ep.primaryKey };
  },
};
