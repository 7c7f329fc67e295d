import { BlobServiceClient } from "@azure/storage-blob";
import { testStorageConnectionString, uniqueName } from "../../support/storage";
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from "../../../scripts/services/azurite";
import { getBlobIdentity, listBlobs, readBlobText, signedBlobUrl } from "../../../provider/clients/storage";
import { getLatestModelBlob } from "../../../provider/latestModel";
import { requestLog, resetRequestLog } from "../../../provider/transport";
import { sha256Hex } from "../../../provider/promotion/modelIdentity";

const access = { accountName: AZURITE_ACCOUNT_NAME, accountKey: AZURITE_ACCOUNT_KEY, blobEndpoint: process.env.TEST_BLOB_ENDPOINT, http: { maxRetries: 0 } };
const EVAL =
  "True Positive,False Negative,False Positive,True Negative,Positive Label,Negative Label,Accuracy,Precision,Recall,F-Score,AUC,Average Log Loss,Rows\n" +
  "1,2,3,4,>50K,<=50K,0.81,0.7,0.6,0.65,0.88,0.4,10\n";

let container: string;
const service = () => BlobServiceClient.fromConnectionString(testStorageConnectionString());

beforeAll(async () => {
  container = uniqueName("models");
  const c = service().getContainerClient(container);
  await c.create();
  await c.getBlockBlobClient("census/2024-01/model.ilearner").upload("old", 3);
  await new Promise((r) => setTimeout(r, 1100)); // distinct Last-Modified seconds
  await c.getBlockBlobClient("census/2024-02/model.ilearner").upload("newer", 5);
  await c.getBlockBlobClient("census/2024-02/evaluation.csv").upload(EVAL, EVAL.length);
  await c.getBlockBlobClient("census/2024-02/notes.txt").upload("x", 1);
  // The manifest a training run writes beside its model (issue 16): these metrics belong to these bytes.
  const manifest = JSON.stringify({ version: 1, sha256: sha256Hex("newer"), metrics: { auc: 0.88, accuracy: 0.81, precision: 0.7, recall: 0.6, f1: 0.65, truePositives: 1 } });
  await c.getBlockBlobClient("census/2024-02/model.ilearner.manifest.json").upload(manifest, manifest.length);
  await c.getBlockBlobClient("census/2024-01/evaluation.csv").upload(EVAL, EVAL.length);
});

afterAll(async () => {
  await service().getContainerClient(container).delete();
});

beforeEach(() => resetRequestLog());

test("blob identity by HEAD with a minted SAS (Azurite accepts our SAS version)", async () => {
  const id = await getBlobIdentity(access, container, "census/2024-02/model.ilearner");
  const props = await service().getContainerClient(container).getBlobClient("census/2024-02/model.ilearner").getProperties();
  expect(id).toMatchObject({ container, path: "census/2024-02/model.ilearner", etag: props.etag!.replace(/"/g, ""), size: 5, lastModified: props.lastModified!.toISOString() });
  expect(requestLog()).toEqual([{ surface: "storage", method: "HEAD", url: expect.not.stringContaining("?"), status: 200 }]);
});

test("missing blob and missing container are undefined, not errors", async () => {
  expect(await getBlobIdentity(access, container, "nope.ilearner")).toBeUndefined();
  expect(await listBlobs(access, uniqueName("nocontainer"))).toBeUndefined();
  expect(await readBlobText(access, container, "nope.csv")).toBeUndefined();
});

test("the minted blob SAS reads the blob and nothing else", async () => {
  const url = signedBlobUrl(access, container, "census/2024-02/model.ilearner", 5);
  expect((await fetch(url)).status).toBe(200);
  const other = url.replace("2024-02/model.ilearner", "2024-01/model.ilearner");
  expect((await fetch(other)).status).toBe(403);
});

test("getLatestModelBlob: newest .ilearner with its sha256 and the metrics of its own manifest, four storage reads", async () => {
  const m = await getLatestModelBlob({ storageAccountName: AZURITE_ACCOUNT_NAME, storageAccountKey: AZURITE_ACCOUNT_KEY, storageBlobEndpoint: process.env.TEST_BLOB_ENDPOINT, container, prefix: "census/" });
  expect(m).toMatchObject({ container, path: "census/2024-02/model.ilearner", size: 5, sha256: sha256Hex("newer"), metrics: { auc: 0.88, accuracy: 0.81, precision: 0.7, recall: 0.6, f1: 0.65 } });
  expect(m.etag).toMatch(/^[^"]+$/);
  // List, HEAD and GET of the model (hashed), GET of the manifest.
  expect(requestLog().map((e) => e.method)).toEqual(["GET", "HEAD", "GET", "GET"]);
});

test("getLatestModelBlob trusts no evaluation.csv alone: without a manifest naming its hash a model has no metrics", async () => {
  const m = await getLatestModelBlob({ storageAccountName: AZURITE_ACCOUNT_NAME, storageAccountKey: AZURITE_ACCOUNT_KEY, storageBlobEndpoint: process.env.TEST_BLOB_ENDPOINT, container, prefix: "census/2024-01/" });
  expect(m).toMatchObject({ path: "census/2024-01/model.ilearner", sha256: sha256Hex("old") });
  expect(m.metrics).toBeUndefined();
});

test("getLatestModelBlob without a model says what to do", async () => {
  await expect(
    getLatestModelBlob({ storageAccountName: AZURITE_ACCOUNT_NAME, storageAccountKey: AZURITE_ACCOUNT_KEY, storageBlobEndpoint: process.env.TEST_BLOB_ENDPOINT, container, prefix: "empty/" }),
  ).rejects.toThrow(`getLatestModelBlob "${container}/empty/": no .ilearner blob under ${container}/empty/. Run a training job (RetrainingRun) first, or fix container/prefix.`);
});

test("a wrong key fails with the storage code and no key or SAS in the message", async () => {
  const bad = { ...access, accountKey: Buffer.from("wrong-key-wrong-key").toString("base64") };
  const err = await getBlobIdentity(bad, container, "census/2024-02/model.ilearner").catch((e) => e);
  expect(err.status).toBe(403);
  expect(err.message).not.toMatch(/sig=|wrong-key/);
});
