/** The pure parts of ownership and the audit: target keys, audit records and their text, the bin's storage access. */
import { actorOf, formatPromotion, parsePromotions, promotionRecord, PromotionRecord } from "../../../provider/audit";
import { accessFromConnectionString, accessFromEnv } from "../../../provider/cli/audit";
import { claimFailures, bindingTargetKey } from "../../../provider/ownership";
import type { TrainedModelBindingInputs } from "../../../provider/lifecycle/trainedModelBinding";
import { UNKNOWN } from "../../../provider/validation";

const WS = "a".repeat(32);
const SVC = "b".repeat(32);
const model = { container: "models", path: "census/v2/model.ilearner", etag: "0x8DC0000000000B2", lastModified: "2026-12-01T10:00:00.000Z", size: 10, metrics: { auc: 0.9012, accuracy: 0.85 } };
const classic = {
  resourceName: "census", targetKind: "classic", region: "ussouthcentral", workspaceId: WS, webServiceId: SVC, endpointName: "retrain01",
  trainedModelName: "Census Model [trained model]", model, storageAccountName: "acct", storageAccountKey: "k", ownerStack: "acme/census/prod",
} as TrainedModelBindingInputs;

describe("bindingTargetKey", () => {
  test.each([
    ["classic", classic, `classic/ussouthcentral/${WS}/${SVC}/retrain01/Census Model [trained model]`],
    ["arm", { ...classic, targetKind: "arm", subscriptionId: "s-1", resourceGroup: "rg", webServiceName: "census-ws" }, "arm/s-1/rg/census-ws/Census Model [trained model]"],
    ["a slash inside a name stays one segment", { ...classic, trainedModelName: "a/b" }, `classic/ussouthcentral/${WS}/${SVC}/retrain01/a%2Fb`],
    ["unknown at preview", { ...classic, endpointName: UNKNOWN }, undefined],
    ["no target", { ...classic, targetKind: undefined }, undefined],
  ])("%s", (_label, inputs, key) => expect(bindingTargetKey(inputs as TrainedModelBindingInputs)).toBe(key));

  test("no claim is read while the target or the stack is not known; an unreachable account is a failure on storageBlobEndpoint", async () => {
    const offline = { ...classic, storageBlobEndpoint: "http://127.0.0.1:1/acct/" };
    expect(await claimFailures({ ...offline, endpointName: UNKNOWN })).toEqual([]);
    expect(await claimFailures({ ...offline, ownerStack: undefined })).toEqual([]);
    expect(await claimFailures(offline)).toEqual([expect.objectContaining({ property: "storageBlobEndpoint", reason: expect.stringContaining("read of the target's ownership claim failed") })]);
  });
});

describe("audit records", () => {
  const now = new Date("2026-12-02T01:02:03.000Z");
  const from = { container: "models", path: "census/v1/model.ilearner", etag: "0x8DC0000000000A1", metrics: { auc: 0.8801, accuracy: 0.84 } };
  const verdict = { passed: true, summary: "gate passed (auc 0.9012 >= 0.85)", checks: [] };

  test("names who, when, stack, target, old → new, metrics and the gate verdict at apply", () => {
    const r = promotionRecord({ ...classic, actor: "alice" }, { verifiedBy: "model-headers", gateVerdict: verdict }, "update", from, now);
    expect(r).toEqual({
      at: "2026-12-02T01:02:03.000Z", actor: "alice", stack: "acme/census/prod", target: bindingTargetKey(classic), binding: "census", operation: "update",
      from, to: { container: "models", path: model.path, etag: model.etag, lastModified: model.lastModified, metrics: model.metrics }, gateVerdict: verdict, verifiedBy: "model-headers",
    });
  });

  test("no record without the stack (a binding driven without the resource class)", () => {
    expect(promotionRecord({ ...classic, ownerStack: undefined }, { verifiedBy: "read-back" }, "create", undefined, now)).toBeUndefined();
  });

  test("actor: the input, else AZUREML_RETRAIN_ACTOR, else the OS user", () => {
    expect(actorOf({ actor: "alice" }, { AZUREML_RETRAIN_ACTOR: "ci" })).toBe("alice");
    expect(actorOf({}, { AZUREML_RETRAIN_ACTOR: "ci" })).toBe("ci");
    expect(actorOf({}, {})).toEqual(expect.any(String));
  });

  test("parsing skips torn lines; the text names the move, the metrics and the gate", () => {
    const r = promotionRecord({ ...classic, actor: "alice" }, { verifiedBy: "model-headers", gateVerdict: verdict }, "update", from, now)!;
    const parsed = parsePromotions(`${JSON.stringify(r)}\n{"torn":\n\n`);
    expect(parsed).toEqual([r]);
    expect(formatPromotion(parsed[0] as PromotionRecord)).toBe(
      [
        "2026-12-02T01:02:03.000Z  update  by alice  stack acme/census/prod  binding census",
        "  models/census/v1/model.ilearner (000000A1) → models/census/v2/model.ilearner (000000B2)",
        "  auc 0.8801 → 0.9012, accuracy 0.8400 → 0.8500",
        "  gate passed (auc 0.9012 >= 0.85)",
        "  verified by model-headers",
      ].join("\n"),
    );
  });
});

describe("the bin's storage access", () => {
  test("from a connection string, with or without a blob endpoint", () => {
    expect(accessFromConnectionString("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;")).toEqual({
      accountName: "devstoreaccount1", accountKey: "a2V5", blobEndpoint: "http://127.0.0.1:10000/devstoreaccount1",
    });
    expect(accessFromConnectionString("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net")).toEqual({
      accountName: "acct", accountKey: "a2V5", blobEndpoint: "https://acct.blob.core.windows.net/",
    });
  });

  test("the key only from the environment, with a clear error when missing", () => {
    expect(accessFromEnv({ account: "acct" }, { AZURE_STORAGE_KEY: "a2V5" })).toEqual({ accountName: "acct", accountKey: "a2V5", blobEndpoint: undefined });
    expect(() => accessFromEnv({ account: "acct" }, {})).toThrow("no key for storage account acct: set AZURE_STORAGE_KEY (or AZURE_STORAGE_CONNECTION_STRING)");
    expect(() => accessFromEnv({}, {})).toThrow(/no storage account/);
  });
});
