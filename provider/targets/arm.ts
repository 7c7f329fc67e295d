/**
 * The ARM web service as a scoring target: GET the definition (A1), replace the trained-model asset's
 * locationInfo.uri, one PATCH with the whole assets map (A3, contract §4.8), wait for Succeeded (A10);
 * read bound = the asset's URI in the definition.
 */
import { ArmCoordinates, DEFAULT_ARM_BASE_URL, getProvisioningState, getWebServiceDefinition, listWebServiceKeys, patchWebServiceDefinition } from "../clients/arm";
import { prop } from "../transport";
import { blobEndpointOf, blobUrl } from "../clients/storage";
import { failure, formatFailure, isServiceError } from "../errors";
import type { InputFailure } from "../validation";
import { ScoringTarget, TYPE, TrainedModelBindingInputs, failuresToError, nameOf, relativeOf, secretsOf, sleep, storageOf, targetProperty, writeOnce } from "./target";

function coords(i: TrainedModelBindingInputs): ArmCoordinates {
  return {
    armBaseUrl: i.armBaseUrl ?? DEFAULT_ARM_BASE_URL,
    subscriptionId: i.subscriptionId as string,
    resourceGroup: i.resourceGroup as string,
    webServiceName: i.webServiceName as string,
    token: i.armToken as string,
    http: i.http,
  };
}

interface ArmAsset {
  id: string;
  name: string;
  type: string;
  uri: string;
}

function armAssets(def: unknown): ArmAsset[] {
  const assets = prop<Record<string, unknown>>(prop(def, "properties"), "assets") ?? {};
  return Object.entries(assets).map(([id, a]) => ({
    id,
    name: String(prop(a, "name") ?? ""),
    type: String(prop(a, "type") ?? ""),
    uri: String(prop(prop(a, "locationInfo"), "uri") ?? ""),
  }));
}

function findTrainedModelAsset(def: unknown, name: string): ArmAsset | undefined {
  return armAssets(def).find((a) => a.name === name && a.type.toLowerCase() === "resource");
}

/** `container/path` of a blob URI, relative to the account's blob endpoint when it is on it. */
export function relativeFromUri(uri: string, access: { storageAccountName: string; storageBlobEndpoint?: string }): string {
  const clean = uri.split("?")[0];
  const base = blobEndpointOf({ accountName: access.storageAccountName, blobEndpoint: access.storageBlobEndpoint });
  let rest: string;
  if (clean.toLowerCase().startsWith(base.toLowerCase())) rest = clean.slice(base.length);
  else {
    try {
      rest = new URL(clean).pathname.replace(/^\/+/, "");
    } catch {
      rest = clean;
    }
  }
  return rest
    .split("/")
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .join("/");
}

/** Waits for the async operation (A10) or provisioningState to reach a terminal state. */
async function waitForArm(i: TrainedModelBindingInputs, asyncUrl: string | undefined, deadline: number): Promise<void> {
  for (;;) {
    const { state, errorInfo, retryAfter } = await getProvisioningState(coords(i), asyncUrl);
    const s = state.toLowerCase();
    if (s === "succeeded") return;
    if (s === "failed" || s === "canceled" || s === "cancelled") {
      const code = String(prop(errorInfo, "code") ?? "ProvisioningFailed");
      const message = String(prop(errorInfo, "message") ?? `provisioning ended in ${state}`);
      throw new Error(`${TYPE} "${nameOf(i)}": ARM update of web service "${i.webServiceName}" failed: ${state} ${code}: ${message}. The web service keeps its previous model; fix the cause and run up again.`);
    }
    if (Date.now() > deadline) {
      throw new Error(`${TYPE} "${nameOf(i)}": ARM update of web service "${i.webServiceName}" did not finish within the verification timeout (last state "${state}"). Raise verification.timeoutSeconds or check the service.`);
    }
    const wait = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : (i.verification?.intervalSeconds ?? 2) * 1000;
    await sleep(Math.min(wait, 30_000));
  }
}

export const armTarget: ScoringTarget = {
  async preflight(i) {
    try {
      const def = await getWebServiceDefinition(coords(i), true);
      if (def === undefined) {
        return [{ property: "webServiceName", reason: `ARM web service "${i.webServiceName}" does not exist in resource group ${i.resourceGroup}`, fix: "Check subscriptionId, resourceGroup and webServiceName" }];
      }
      const out: InputFailure[] = [];
      if (prop(prop(def, "properties"), "readOnly") === true) {
        out.push({ property: "webServiceName", reason: `ARM web service "${i.webServiceName}" is readOnly`, fix: "A readOnly web service can only be deleted, never patched: bind a writable one (contract §4.2, E23)" });
      }
      if (!findTrainedModelAsset(def, i.trainedModelName)) {
        const valid = armAssets(def).filter((a) => a.type.toLowerCase() === "resource").map((a) => `"${a.name}"`);
        out.push({
          property: "trainedModelName",
          reason: `"${i.trainedModelName}" is not a trained-model asset of web service "${i.webServiceName}"`,
          fix: valid.length > 0 ? `Use one of ${valid.join(", ")}` : "The web service has no Resource assets to update",
        });
      }
      return out;
    } catch (err) {
      return [{ property: targetProperty(i, err), reason: formatFailure(TYPE, nameOf(i), "preview read of the target", err, undefined, secretsOf(i)), fix: "Nothing was written" }];
    }
  },

  async bind(i, progress, deadline) {
    const name = nameOf(i);
    const secrets = secretsOf(i);
    let def: unknown;
    try {
      def = await getWebServiceDefinition(coords(i));
    } catch (err) {
      throw failure(TYPE, name, `get web service definition "${i.webServiceName}"`, err, undefined, secrets);
    }
    const asset = findTrainedModelAsset(def, i.trainedModelName);
    if (!asset) throw failuresToError(i, [{ property: "trainedModelName", reason: `"${i.trainedModelName}" is not a trained-model asset of "${i.webServiceName}"`, fix: "Use the asset's exact name" }]);
    const uri = blobUrl(storageOf(i), i.model.container, i.model.path);
    const props = prop<Record<string, unknown>>(def, "properties") ?? {};
    const assets = { ...(prop<Record<string, unknown>>(props, "assets") ?? {}) };
    const old = assets[asset.id] as Record<string, unknown>;
    assets[asset.id] = { ...old, locationInfo: { ...(prop<Record<string, unknown>>(old, "locationInfo") ?? {}), uri } };
    let asyncUrl: string | undefined;
    try {
      // PATCH with the complete assets map: safe whether the service merges or replaces it (contract §4.8).
      // A lost answer carries no operation URL (undefined): waitForArm then follows provisioningState.
      asyncUrl = await writeOnce(
        () => patchWebServiceDefinition(coords(i), { location: prop(def, "location"), properties: { packageType: prop(props, "packageType") ?? "Graph", assets } }, "answered-only"),
        async () => (await armTarget.readBound(i)).relative === relativeOf(i.model),
      );
    } catch (err) {
      throw failure(TYPE, name, `update web service definition "${i.webServiceName}" (ARM PATCH)`, err, undefined, secrets);
    }
    progress.written = true;
    try {
      await waitForArm(i, asyncUrl, deadline);
    } catch (err) {
      throw isServiceError(err) ? failure(TYPE, name, "wait for ARM provisioning", err, undefined, secrets) : err;
    }
    let apiLocation = i.apiLocation;
    if (!apiLocation) {
      const swagger = String(prop(props, "swaggerLocation") ?? "");
      if (swagger) apiLocation = swagger.split("?")[0].replace(/\/swagger\.json$/i, "");
    }
    let probeKey = i.scoringKey;
    if (i.verification?.sampleRow && !probeKey) {
      try {
        probeKey = await listWebServiceKeys(coords(i));
      } catch (err) {
        throw failure(TYPE, name, "list keys for the scoring probe (A5)", err, undefined, secrets);
      }
    }
    return { apiLocation, probeKey };
  },

  async readBound(i) {
    const def = await getWebServiceDefinition(coords(i), true);
    if (def === undefined) return { gone: true, settled: false };
    const asset = findTrainedModelAsset(def, i.trainedModelName);
    const state = String(prop(prop(def, "properties"), "provisioningState") ?? "");
    return { gone: false, relative: asset ? relativeFromUri(asset.uri, i) : undefined, settled: state.toLowerCase() === "succeeded" };
  },
};
