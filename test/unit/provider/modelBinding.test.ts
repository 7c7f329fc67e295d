import {
  checkResourceName,
  checkTrainedModelBinding,
  diffTrainedModelBinding,
  relativeFromUri,
  TrainedModelBindingInputs,
  TrainedModelBindingState,
} from "../../../provider/lifecycle/trainedModelBinding";
import { UNKNOWN, toCheckFailures } from "../../../provider/validation";
import { checkRetrainingRun } from "../../../provider/lifecycle/retrainingRun";

const WS = "0123456789abcdef0123456789abcdef";
const SVC = "fedcba9876543210fedcba9876543210";
const model = { container: "models", path: "census/2024-05/model.ilearner", etag: "0x8DC1", lastModified: "2024-05-01T10:00:00.000Z", size: 1234, metrics: { auc: 0.9 } };
const classic: Partial<TrainedModelBindingInputs> = {
  targetKind: "classic",
  workspaceId: WS,
  webServiceId: SVC,
  endpointName: "retrain01",
  endpointKey: "k",
  trainedModelName: "Census Model [trained model]",
  model,
  storageAccountName: "acct",
  storageAccountKey: "key",
};
const arm: Partial<TrainedModelBindingInputs> = {
  targetKind: "arm",
  subscriptionId: "00000000-1111-2222-3333-444444444444",
  resourceGroup: "rg",
  webServiceName: "census",
  armToken: "t",
  trainedModelName: "Census Model [trained model]",
  model,
  storageAccountName: "acct",
};

describe("checkTrainedModelBinding", () => {
  test("classic: good, defaults filled", () => {
    const { inputs, failures } = checkTrainedModelBinding(classic);
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ region: "ussouthcentral", managementBaseUrl: "https://management.azureml.net", defaultEndpointName: "default" });
  });
  test("arm: good, default ARM host", () => {
    const { inputs, failures } = checkTrainedModelBinding(arm);
    expect(failures).toEqual([]);
    expect(inputs.armBaseUrl).toBe("https://management.azure.com");
  });

  test("unknown model and endpoint are decided later", () => {
    expect(checkTrainedModelBinding({ ...classic, model: UNKNOWN as never, endpointName: UNKNOWN, endpointKey: UNKNOWN }).failures).toEqual([]);
  });
});

describe("diffTrainedModelBinding", () => {
  const inputs = checkTrainedModelBinding(classic).inputs;
  const state = { ...inputs, boundLocation: "models/census/2024-05/model.ilearner", verifiedBy: "model-headers", __provider: "old" } as TrainedModelBindingState;
  test("no-op: nothing changes, __provider and outputs ignored", () => {
    expect(diffTrainedModelBinding(state, { ...inputs, __provider: "new" } as never)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false, modelChanged: false });
  });
  test("metrics or last-modified alone do not promote", () => {
    expect(diffTrainedModelBinding(state, { ...inputs, model: { ...model, metrics: { auc: 0.1 }, lastModified: "x" } }).changes).toBe(false);
  });
  test("a new etag promotes (update, no replace)", () => {
    expect(diffTrainedModelBinding(state, { ...inputs, model: { ...model, etag: "0x8DC9" } })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false, modelChanged: true });
  });
  test("an unknown model (a run in progress) is a change", () => {
    expect(diffTrainedModelBinding(state, { ...inputs, model: UNKNOWN as never }).changes).toBe(true);
  });
  test("switching endpoint replaces", () => {
    expect(diffTrainedModelBinding(state, { ...inputs, endpointName: "retrain02" }).replaces).toEqual(["endpointName"]);
  });
  test("a failed verification is bound again", () => {
    expect(diffTrainedModelBinding({ ...state, verifiedBy: "failed" }, inputs).modelChanged).toBe(true);
  });
});

describe("checkResourceName", () => {
  test("training service endpoint (no resources)", () => {
    expect(checkResourceName({ name: "default", resources: [] }, "X")).toEqual([
      {
        property: "endpointName",
        reason: 'endpoint "default" has no updatable resources: it belongs to a training web service',
        fix: "This Web Service has no updatable resources: bind an added endpoint of the predictive web service (contract §1.6, E6)",
      },
    ]);
  });
  test("wrong name lists the valid names", () => {
    expect(checkResourceName({ name: "ep", resources: [{ name: "Census Model [trained model]" }] }, "census model [Trained Model]")).toEqual([
      {
        property: "trainedModelName",
        reason: '"census model [Trained Model]" is not an updatable resource of endpoint "ep"',
        fix: 'Use the exact Name, one of "Census Model [trained model]" (contract §1.5 M6, E10)',
      },
    ]);
  });
  test("exact name passes", () => {
    expect(checkResourceName({ name: "ep", resources: [{ name: "M" }] }, "M")).toEqual([]);
  });
});

test("relativeFromUri handles the account endpoint, path-style and foreign URLs", () => {
  expect(relativeFromUri("https://acct.blob.core.windows.net/models/a/m.ilearner", { storageAccountName: "acct" })).toBe("models/a/m.ilearner");
  expect(relativeFromUri("http://127.0.0.1:10000/devstoreaccount1/models/a%20b/m.ilearner?sig=x", { storageAccountName: "devstoreaccount1", storageBlobEndpoint: "http://127.0.0.1:10000/devstoreaccount1" })).toBe("models/a b/m.ilearner");
  expect(relativeFromUri("https://other.blob.core.windows.net/c/m.ilearner", { storageAccountName: "acct" })).toBe("c/m.ilearner");
});

describe("messages a user reads", () => {
  test("check failures never end a sentence twice", () => {
    const [f] = toCheckFailures([{ property: "storageAccountKey", reason: "read failed: 403 AuthenticationFailed: Server failed to authenticate.", fix: "Nothing was written." }]);
    expect(f.reason).toBe("read failed: 403 AuthenticationFailed: Server failed to authenticate. Nothing was written.");
  });
});

describe("a user-delegation key must outlive the SAS minted from it", () => {
  const key = (expiresInMinutes: number) => ({
    signedObjectId: "o", signedTenantId: "t", signedService: "b", signedVersion: "2021-08-06", value: "a2V5",
    signedStartsOn: new Date(Date.now() - 60_000).toISOString(),
    signedExpiresOn: new Date(Date.now() + expiresInMinutes * 60_000).toISOString(),
  });
  const withKey = (k: ReturnType<typeof key>, extra: object = {}) => ({ ...classic, storageAccountKey: undefined, storageUserDelegationKey: k, ...extra });

  test("a shorter sasLifetimeMinutes that fits inside the key passes", () => {
    expect(checkTrainedModelBinding(withKey(key(10), { sasLifetimeMinutes: 5 })).failures).toEqual([]);
  });

  test("with an account key too, the account key signs and the delegation key is not checked", () => {
    expect(checkTrainedModelBinding({ ...withKey(key(-5)), storageAccountKey: "a2V5" }).failures).toEqual([]);
  });

  test("a run's SAS must last its timeout plus 30 minutes", () => {
    const run = { resourceName: "r", apiLocation: "https://x/services/s", apiKey: "k", input: { container: "training", path: "a.csv" }, outputContainer: "models", storageAccountName: "acct" };
    expect(checkRetrainingRun({ ...run, storageUserDelegationKey: key(60), timeoutMinutes: 60 }).failures.map((f) => f.property)).toEqual(["storageUserDelegationKey"]);
    expect(checkRetrainingRun({ ...run, storageUserDelegationKey: key(120), timeoutMinutes: 60 }).failures).toEqual([]);
  });
});
