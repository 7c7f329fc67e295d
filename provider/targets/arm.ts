/**
 * The ARM web service as a scoring target: GET the definition (A1), replace the trained-model asset's
 * locationInfo.uri, one PATCH with the whole assets map (A3, contract §4.8), wait for Succeeded (A10);
 * read bound = the asset's URI in the definition.
 */
import { DEFAULT_ARM_BASE_URL, armWebServiceUrl } from "../clients/arm";
import { prop, send } from "../transport";
import { blobEndpointOf, blobUrl } from "../clients/storage";
import { failure, formatFailure, isServiceError } from "../errors";
import type { InputFailure } from "../validation";
import { ScoringTarget, TYPE, TrainedModelBindingInputs, failuresToError, nameOf, secretsOf, sleep, storageOf, targetProperty } from "./target";

function armUrl(i: TrainedModelBindingInputs, suffix = ""): string {
  return armWebServiceUrl(i.armBaseUrl ?? DEFAULT_ARM_BASE_URL, i.subscriptionId as string, i.resourceGroup as string, i.webServiceName as string, suffix);
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
    let state: string;
    let errorInfo: unknown;
    const res = await send({ surface: "arm", method: "GET", url: asyncUrl ?? armUrl(i), bearer: i.armToken, settings: i.http });
    if (asyncUrl) {
      state = String(prop(res.data, "status") ?? prop(res.data, "provisioningState") ?? "");
      errorInfo = prop(res.data, "errorInfo") ?? prop(res.data, "error");
    } else {
      state = String(prop(prop(res.data, "properties"), "provisioningState") ?? "");
    }
    const retryAfter = res.headers["retry-after"];
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
      const res = await send({ surface: "arm", method: "GET", url: armUrl(i), bearer: i.armToken, acceptStatus: [404], settings: i.http });
      if (res.status === 404) {
        return [{ property: "webServiceName", reason: `ARM web service "${i.webServiceName}" does not exist in resource group ${i.resourceGroup}`, fix: "Check subscriptionId, resourceGroup and webServiceName" }];
      }
      const out: InputFailure[] = [];
      if (prop(prop(res.data, "properties"), "readOnly") === true) {
        out.push({ property: "webServiceName", reason: `ARM web service "${i.webServiceName}" is readOnly`, fix: "A readOnly web service can only be deleted, never patched: bind a writable one (contract §4.2, E23)" });
      }
      if (!findTrainedModelAsset(res.data, i.trainedModelName)) {
        const valid = armAssets(res.data).filter((a) => a.type.toLowerCase() === "resource").map((a) => `"${a.name}"`);
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
      def = (await send({ surface: "arm", method: "GET", url: armUrl(i), bearer: i.armToken, settings: i.http })).data;
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
      const res = await send({
        surface: "arm",
        method: "PATCH",
        url: armUrl(i),
        bearer: i.armToken,
        body: { location: prop(def, "location"), properties: { packageType: prop(props, "packageType") ?? "Graph", assets } },
        settings: i.http,
      });
      asyncUrl = res.headers["azure-asyncoperation"] ?? res.headers["location"];
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
        const keys = await send({ surface: "arm", method: "GET", url: armUrl(i, "/listKeys"), bearer: i.armToken, settings: i.http });
        probeKey = String(prop(keys.data, "primary") ?? "");
      } catch (err) {
        throw failure(TYPE, name, "list keys for the scoring probe (A5)", err, undefined, secrets);
      }
    }
    return { apiLocation, probeKey };
  },

  async readBound(i) {
    const res = await send({ surface: "arm", method: "GET", url: armUrl(i), bearer: i.armToken, acceptStatus: [404], settings: i.http });
    if (res.status === 404) return { gone: true, settled: false };
    const asset = findTrainedModelAsset(res.data, i.trainedModelName);
    const state = String(prop(prop(res.data, "properties"), "provisioningState") ?? "");
    return { gone: false, relative: asset ? relativeFromUri(asset.uri, i) : undefined, settled: state.toLowerCase() === "succeeded" };
  },
};
