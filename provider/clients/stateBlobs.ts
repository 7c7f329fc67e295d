/**
 * The provider's own bookkeeping blobs (endpoint claims, promotion audit) in the container `azureml-retrain` of
 * the storage account a binding already uses: conditional create, read with ETag, delete-if-unchanged, append.
 *
 * Azure Blob REST semantics: `If-None-Match: *` makes a PUT create-only (409 BlobAlreadyExists, or 412 on some
 * versions, when the blob exists), so of two writers exactly one wins; `If-Match: <etag>` makes a DELETE fail
 * with 412 when someone changed the blob since it was read. Requests go through the transport on the `storage`
 * surface, never a service surface.
 */
import { isServiceError } from "../errors";
import { HttpResponse, STORAGE_API_VERSION, joinUrl, send, withQuery } from "../transport";
import { StorageAccess, blobEndpointOf, blobUrl, listBlobs, mintSas, SAS_CLOCK_SKEW_MINUTES } from "./storage";

/** The container that holds claims/ and audit/. Created on first use when the account key allows it. */
export const STATE_CONTAINER = "azureml-retrain";
/** Our own requests take seconds; the SAS only has to outlive their retries. */
const SAS_MINUTES = 10;

/** A JSON blob and the ETag it was read at. */
export interface StateBlob<T> {
  value: T;
  etag: string;
}

function signed(access: StorageAccess, path: string, permissions: string): string {
  return `${blobUrl(access, STATE_CONTAINER, path)}${mintSas({ access, container: STATE_CONTAINER, path, permissions, lifetimeMinutes: SAS_MINUTES })}`;
}

function unquote(etag: string | undefined): string {
  return (etag ?? "").replace(/^W\//, "").replace(/^"|"$/g, "");
}

/** 404: the container (or, for an append, the blob) does not exist yet. */
function isMissing(err: unknown): boolean {
  return isServiceError(err) && err.status === 404;
}

/**
 * Creates the container when it is missing. Creating a container needs an account SAS, so only the account key
 * can; with a user-delegation key the container must exist (the error says how to create it).
 */
export async function ensureStateContainer(access: StorageAccess): Promise<void> {
  if (!access.accountKey) {
    throw new Error(
      `storage container ${STATE_CONTAINER} does not exist in account ${access.accountName} and a user-delegation key cannot create it: ` +
        `create it once (az storage container create --name ${STATE_CONTAINER} --account-name ${access.accountName} --auth-mode login)`,
    );
  }
  const sb = require("@azure/storage-blob") as typeof import("@azure/storage-blob");
  const now = Date.now();
  const sas = sb
    .generateAccountSASQueryParameters(
      {
        services: "b",
        resourceTypes: "c",
        permissions: sb.AccountSASPermissions.parse("c"),
        startsOn: new Date(now - SAS_CLOCK_SKEW_MINUTES * 60_000),
        expiresOn: new Date(now + SAS_MINUTES * 60_000),
        version: STORAGE_API_VERSION,
      },
      new sb.StorageSharedKeyCredential(access.accountName, access.accountKey),
    )
    .toString();
  const url = `${withQuery(joinUrl(blobEndpointOf(access), STATE_CONTAINER), { restype: "container" })}&${sas}`;
  await send({ surface: "storage", method: "PUT", url, headers: { "x-ms-version": STORAGE_API_VERSION }, acceptStatus: [409], settings: access.http });
}

/** Runs `op`, creating the container once if it was missing. */
async function withContainer<T>(access: StorageAccess, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (!isMissing(err)) throw err;
    await ensureStateContainer(access);
    return op();
  }
}

/** GET of a state blob: its answer, or undefined when it (or the container) does not exist. */
async function getStateBlob(access: StorageAccess, path: string): Promise<HttpResponse<unknown> | undefined> {
  const res = await send<unknown>({
    surface: "storage",
    method: "GET",
    url: signed(access, path, "r"),
    headers: { "x-ms-version": STORAGE_API_VERSION, Accept: "*/*" },
    acceptStatus: [404],
    settings: access.http,
  });
  return res.status === 404 ? undefined : res;
}

/** Reads a JSON blob, or undefined when it (or the container) does not exist. */
export async function readStateBlob<T>(access: StorageAccess, path: string): Promise<StateBlob<T> | undefined> {
  const res = await getStateBlob(access, path);
  if (!res) return undefined;
  const value = (typeof res.data === "string" ? JSON.parse(res.data) : res.data) as T;
  return { value, etag: unquote(res.headers["etag"]) };
}

/** Reads a text blob (JSON lines), or undefined when it does not exist. */
export async function readStateText(access: StorageAccess, path: string): Promise<string | undefined> {
  const res = await getStateBlob(access, path);
  if (!res) return undefined;
  // The transport parses a body that looks like JSON; a one-line JSON-lines blob comes back as an object.
  return typeof res.data === "string" ? res.data : res.data === undefined ? "" : `${JSON.stringify(res.data)}\n`;
}

/**
 * Create-only PUT of a JSON blob. Returns its ETag when this call created it, undefined when the blob already
 * existed (someone else won).
 */
export async function createStateBlob(access: StorageAccess, path: string, value: unknown): Promise<string | undefined> {
  return withContainer(access, async () => {
    const res = await send({
      surface: "storage",
      method: "PUT",
      url: signed(access, path, "cw"),
      headers: { "x-ms-version": STORAGE_API_VERSION, "x-ms-blob-type": "BlockBlob", "Content-Type": "application/json", "If-None-Match": "*" },
      body: JSON.stringify(value),
      acceptStatus: [409, 412],
      // A lost answer is resolved by the caller reading the blob back, never by sending again.
      retry: "answered-only",
      settings: access.http,
    });
    return res.status === 409 || res.status === 412 ? undefined : unquote(res.headers["etag"]);
  });
}

/** Overwrites a JSON blob only if it is still at `etag`. False when it changed meanwhile. */
export async function replaceStateBlob(access: StorageAccess, path: string, value: unknown, etag: string): Promise<boolean> {
  const res = await send({
    surface: "storage",
    method: "PUT",
    url: signed(access, path, "w"),
    headers: { "x-ms-version": STORAGE_API_VERSION, "x-ms-blob-type": "BlockBlob", "Content-Type": "application/json", "If-Match": `"${etag}"` },
    body: JSON.stringify(value),
    acceptStatus: [404, 412],
    settings: access.http,
  });
  return res.status !== 404 && res.status !== 412;
}

/** Deletes a blob only if it is still at `etag`. False when it changed meanwhile; true when gone or deleted. */
export async function deleteStateBlob(access: StorageAccess, path: string, etag: string): Promise<boolean> {
  const res = await send({
    surface: "storage",
    method: "DELETE",
    url: signed(access, path, "d"),
    headers: { "x-ms-version": STORAGE_API_VERSION, "If-Match": `"${etag}"` },
    acceptStatus: [404, 412],
    settings: access.http,
  });
  return res.status !== 412;
}

/** Appends one block to an append blob, creating the blob (and the container) first when missing. */
export async function appendStateText(access: StorageAccess, path: string, text: string): Promise<void> {
  const append = () =>
    send({
      surface: "storage",
      method: "PUT",
      url: `${signed(access, path, "aw")}&comp=appendblock`,
      headers: { "x-ms-version": STORAGE_API_VERSION, "Content-Type": "application/x-ndjson" },
      body: text,
      // Append Block is not idempotent: a lost answer must not append the line twice.
      retry: "answered-only",
      settings: access.http,
    });
  try {
    await append();
    return;
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  await withContainer(access, () =>
    send({
      surface: "storage",
      method: "PUT",
      url: signed(access, path, "cw"),
      headers: { "x-ms-version": STORAGE_API_VERSION, "x-ms-blob-type": "AppendBlob", "If-None-Match": "*" },
      acceptStatus: [409, 412],
      settings: access.http,
    }),
  );
  await append();
}

/** Blob paths under a prefix of the state container (empty when the container does not exist). */
export async function listStateBlobs(access: StorageAccess, prefix: string): Promise<Array<{ path: string; lastModified: string }>> {
  const blobs = (await listBlobs(access, STATE_CONTAINER, prefix)) ?? [];
  return blobs.map((b) => ({ path: b.path, lastModified: b.lastModified }));
}
