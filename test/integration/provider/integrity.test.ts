/**
 * Model identity, provenance and the content-addressed copy against Azurite (issue 16): what check resolves a
 * declared reference to, and what apply binds.
 */
import { BlobServiceClient } from "@azure/storage-blob";
import { testStorageConnectionString, uniqueName } from "../../support/storage";
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from "../../../scripts/services/azurite";
import { resolveModelContent } from "../../../provider/promotion/provenance";
import { ChangedModelError, copyPathFor, ensureImmutableCopy } from "../../../provider/promotion/immutableCopy";
import { sha256Hex } from "../../../provider/promotion/modelIdentity";
import { requestLog, resetRequestLog } from "../../../provider/transport";
import type { ModelBlobRef } from "../../../provider/validation";

const access = { accountName: AZURITE_ACCOUNT_NAME, accountKey: AZURITE_ACCOUNT_KEY, blobEndpoint: process.env.TEST_BLOB_ENDPOINT, http: { maxRetries: 0 } };
let container: string;
const blobs = () => BlobServiceClient.fromConnectionString(testStorageConnectionString()).getContainerClient(container);
const put = async (path: string, body: string) => (await blobs().getBlockBlobClient(path).upload(body, Buffer.byteLength(body))).etag!.replace(/"/g, "");
const manifest = (sha256: string, metrics: Record<string, unknown>) => JSON.stringify({ version: 1, sha256, metrics });

beforeAll(async () => {
  container = uniqueName("integrity");
  await blobs().create();
});
afterAll(async () => {
  await blobs().delete();
});

test("a pin { container, path, sha256 } is filled from the blob; its own manifest's metrics are trusted", async () => {
  await put("a/model.ilearner", "bytes A");
  await put("a/model.ilearner.manifest.json", manifest(sha256Hex("bytes A"), { auc: 0.9, accuracy: 0.8 }));
  const { model, failures } = await resolveModelContent(access, "model", { container, path: "a/model.ilearner", sha256: sha256Hex("bytes A") } as ModelBlobRef);
  expect(failures).toEqual([]);
  expect(model).toMatchObject({ container, path: "a/model.ilearner", etag: expect.stringMatching(/^0x/), size: 7, sha256: sha256Hex("bytes A"), metrics: { auc: 0.9, accuracy: 0.8 } });

  // Recorded in state at the same version: no request at all.
  resetRequestLog();
  await resolveModelContent(access, "model", model, model);
  expect(requestLog()).toEqual([]);
});

test("another model's manifest and metrics written in the program are not trusted; out-of-range ones are refused", async () => {
  await put("b/model.ilearner", "bytes B");
  await put("b/model.ilearner.manifest.json", manifest(sha256Hex("bytes A"), { auc: 0.99 }));
  const declared = { container, path: "b/model.ilearner", etag: "", lastModified: "", size: 0, metrics: { auc: 0.99 } } as ModelBlobRef;
  const { model } = await resolveModelContent(access, "model", { ...declared, etag: undefined } as unknown as ModelBlobRef);
  expect(model.metrics).toBeUndefined();
  expect(model.unverifiedMetrics).toEqual({ auc: 0.99 });

  const bad = await resolveModelContent(access, "model", { ...declared, metrics: { auc: 10 } });
  expect(bad.failures).toEqual([expect.objectContaining({ property: "model.metrics", reason: expect.stringContaining("auc 10 is not in [0, 1]") })]);

  await put("c/model.ilearner", "bytes C");
  await put("c/model.ilearner.manifest.json", manifest(sha256Hex("bytes C"), { auc: 1.5 }));
  const malformed = await resolveModelContent(access, "model", { container, path: "c/model.ilearner", sha256: sha256Hex("bytes C") } as ModelBlobRef);
  expect(malformed.failures).toEqual([expect.objectContaining({ property: "model.metrics", reason: expect.stringMatching(/manifest beside .*c\/model\.ilearner is malformed: .*auc 1\.5 is not in \[0, 1\]/) })]);
});

test("the copy is written once from the reviewed bytes; a changed source is refused; a pin follows its copy", async () => {
  const etag = await put("d/model.ilearner", "bytes D");
  const reviewed = { container, path: "d/model.ilearner", etag, lastModified: "", size: 7, sha256: sha256Hex("bytes D"), metrics: { auc: 0.8 } };
  const copy = await ensureImmutableCopy(access, reviewed);
  expect(copy).toMatchObject({ container, path: copyPathFor(reviewed.sha256), sha256: reviewed.sha256, metrics: { auc: 0.8 } });
  expect((await blobs().getBlobClient(copy.path).downloadToBuffer()).toString()).toBe("bytes D");

  // Again: the copy exists and this process hashed it, so one HEAD and no write.
  resetRequestLog();
  expect((await ensureImmutableCopy(access, reviewed)).etag).toBe(copy.etag);
  expect(requestLog().map((e) => e.method)).toEqual(["HEAD"]);

  // Other bytes at a new model's path before its copy exists: refused before any write.
  const eEtag = await put("e/model.ilearner", "bytes E");
  await put("e/model.ilearner", "bytes E, overwritten");
  resetRequestLog();
  const changed = await ensureImmutableCopy(access, { container, path: "e/model.ilearner", etag: eEtag, lastModified: "", size: 7, sha256: sha256Hex("bytes E") }).catch((e) => e);
  expect(changed).toBeInstanceOf(ChangedModelError);
  expect(changed.message).toMatch(new RegExp(`it was ${container}/e/model.ilearner \\(etag ${eEtag}, sha256 ${sha256Hex("bytes E").slice(0, 12)}…\\), it is now`));
  expect(requestLog().filter((e) => e.method === "PUT")).toEqual([]);

  // The pinned path is overwritten afterwards: the pin resolves to the copy of its bytes.
  await put("d/model.ilearner", "bytes D, overwritten");
  const pinned = await resolveModelContent(access, "pin", { container, path: "d/model.ilearner", sha256: reviewed.sha256 } as ModelBlobRef);
  expect(pinned.failures).toEqual([]);
  expect(pinned.model).toMatchObject({ path: copyPathFor(reviewed.sha256), etag: copy.etag, metrics: { auc: 0.8 } });

  // Without a copy, the same pin is refused naming both identities.
  const lost = await resolveModelContent(access, "model", { container, path: "e/model.ilearner", sha256: sha256Hex("bytes E") } as ModelBlobRef);
  expect(lost.failures).toEqual([expect.objectContaining({ property: "model.sha256", reason: expect.stringContaining(`expected sha256 ${sha256Hex("bytes E")}, actual sha256 ${sha256Hex("bytes E, overwritten")}`) })]);
});
