/**
 * Immutable binding (issue 16): a target is bound to a content-addressed copy of the model,
 * `<container>/.models/sha256/<sha256>.ilearner`, written once (`If-None-Match: *`) from bytes that hash to the
 * reviewed sha256 and verified by hashing. It is an ordinary blob, so the classic PATCH (BaseLocation +
 * RelativeLocation + SAS) and the ARM asset URI both take it; overwriting the source path afterwards, or while the
 * service loads the model, changes nothing that serves. Blob snapshots would need `?snapshot=` in the location,
 * which the services do not document accepting (provider/README.md, "Safe promotion").
 */
import { StorageAccess, blobUrl, mintSas, readBlobBytes } from "../clients/storage";
import { isServiceError } from "../errors";
import { STORAGE_API_VERSION, send } from "../transport";
import type { ModelBlobRef } from "../validation";
import { MANIFEST_VERSION, writeModelManifest } from "./manifest";
import { describeIdentity, readModelIdentity, sha256Hex } from "./modelIdentity";

export const COPY_FOLDER = ".models/sha256";

/** `.models/sha256/<sha256>.ilearner`: where the bytes with this hash live, in the model's own container. */
export function copyPathFor(sha256: string): string {
  return `${COPY_FOLDER}/${sha256}.ilearner`;
}

export function isContentAddressed(path: string): boolean {
  return path.startsWith(`${COPY_FOLDER}/`);
}

/** The bytes were not the reviewed ones: nothing was written anywhere. */
export class ChangedModelError extends Error {}

async function createOnce(access: StorageAccess, container: string, path: string, bytes: Buffer): Promise<void> {
  const url = `${blobUrl(access, container, path)}${mintSas({ access, container, path, permissions: "cw", lifetimeMinutes: 10 })}`;
  try {
    await send({
      surface: "storage",
      method: "PUT",
      url,
      headers: { "x-ms-version": STORAGE_API_VERSION, "x-ms-blob-type": "BlockBlob", "Content-Type": "application/octet-stream", "If-None-Match": "*" },
      body: bytes,
      settings: access.http,
    });
  } catch (err) {
    // Another deployment wrote the same content first: fine, it is verified by hash below.
    if (!(isServiceError(err) && (err.status === 409 || err.status === 412))) throw err;
  }
}

/**
 * The content-addressed copy of `model` (whose `sha256` is the reviewed identity), as the reference a target is
 * bound to. Reuses a copy that exists and hashes right (one HEAD once this process has hashed it); else reads the
 * source once, refuses with ChangedModelError when its bytes are no longer the reviewed ones, and writes the copy
 * and its manifest. Throws when an existing copy does not hold its hash (someone wrote it by hand).
 */
export async function ensureImmutableCopy(access: StorageAccess, model: ModelBlobRef): Promise<ModelBlobRef> {
  const sha256 = model.sha256!;
  const path = copyPathFor(sha256);
  let copy = await readModelIdentity(access, model.container, path);
  if (!copy) {
    const source = await readBlobBytes(access, model.container, model.path);
    const actual = source ? sha256Hex(source.bytes) : undefined;
    if (!source || actual !== sha256) {
      const now = source ? describeIdentity({ ...source.identity, sha256: actual }) : "deleted";
      throw new ChangedModelError(`model blob ${model.container}/${model.path} is not the model the diff showed: it was ${describeIdentity(model)}, it is now ${now}`);
    }
    await createOnce(access, model.container, path, source.bytes);
    if (model.metrics) {
      await writeModelManifest(access, model.container, path, { version: MANIFEST_VERSION, sha256, size: source.bytes.length, metrics: { ...model.metrics }, producedBy: `copy of ${model.container}/${model.path}@${model.etag}` });
    }
    copy = await readModelIdentity(access, model.container, path);
  }
  if (!copy || copy.sha256 !== sha256) {
    throw new Error(`the content-addressed copy ${model.container}/${path} does not hold the bytes its name promises (${copy ? `sha256 ${copy.sha256}` : "missing"}). Delete it; the next up writes it again`);
  }
  return { container: model.container, path, etag: copy.etag, lastModified: copy.lastModified, size: copy.size, sha256, ...(model.metrics ? { metrics: model.metrics } : {}) };
}

/** Whether two references name the same bytes: by sha256 when both know it, else by container/path/etag. */
export function sameBytes(a: Partial<ModelBlobRef> | undefined, b: Partial<ModelBlobRef> | undefined): boolean {
  if (!a || !b) return false;
  if (a.sha256 && b.sha256) return a.sha256 === b.sha256;
  return a.container === b.container && a.path === b.path && a.etag === b.etag;
}

/**
 * Whether a target reporting `location` (`container/path`) serves `model`: its content-addressed copy, or (a binding
 * from before copies) the model's own path.
 */
export function locationServes(location: string | undefined, model: ModelBlobRef): boolean {
  const own = `${model.container}/${model.path.replace(/^\/+/, "")}`;
  return location === own || (!!model.sha256 && location === `${model.container}/${copyPathFor(model.sha256)}`);
}
