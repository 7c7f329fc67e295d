/**
 * All storage access of the emulator, through @azure/storage-blob: reading and writing blobs exactly as the client
 * referenced them (connection string, or BaseLocation + RelativeLocation + SasBlobToken, or an ARM asset URI with an
 * account key), and minting the read SAS that BES results carry.
 *
 * Bound models are copied into the emulator when they are bound (store ModelRepository): scoring never reads storage,
 * and a SAS that expires, or a blob deleted, after a successful PATCH does not break scoring. Whether the real service
 * read the blob once or later is unknown (contract §7.2); copying at bind time is the choice that keeps scoring fast.
 */
import {
  BlobServiceClient,
  BlockBlobClient,
  ContainerSASPermissions,
  RestError,
  StoragePipelineOptions,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from "@azure/storage-blob";
import type { BlobReference } from "./store";

/** Fail fast: a client waiting on a BES result would rather see the storage error than minutes of retries. */
const PIPELINE_OPTIONS: StoragePipelineOptions = { retryOptions: { maxTries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1000, tryTimeoutInMs: 60_000 } };

/** Service-issued SAS (contract §2.4, §7.2): container scope, read+list, 24 h 5 min, started 5 min ago for skew. */
export const RESULT_SAS_VALIDITY_MS = (24 * 60 + 5) * 60_000;
const SAS_CLOCK_SKEW_MS = 5 * 60_000;

export interface ConnectionInfo {
  accountName?: string;
  accountKey?: string;
  /** Blob endpoint without a trailing slash. */
  blobEndpoint: string;
}

export class ConnectionStringError extends Error {
  override name = "ConnectionStringError";
}

/** Parses an Azure Storage connection string; throws ConnectionStringError when it names no usable account. */
export function parseConnectionString(connectionString: string): ConnectionInfo {
  const fields = new Map<string, string>();
  for (const part of connectionString.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (fields.get("usedevelopmentstorage")?.toLowerCase() === "true") {
    return {
      accountName: "devstoreaccount1",
      accountKey: "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
      blobEndpoint: "http://127.0.0.1:10000/devstoreaccount1",
    };
  }
  const accountName = fields.get("accountname");
  const accountKey = fields.get("accountkey");
  let blobEndpoint = fields.get("blobendpoint");
  if (!blobEndpoint) {
    if (!accountName) throw new ConnectionStringError("the connection string has neither AccountName nor BlobEndpoint");
    const protocol = fields.get("defaultendpointsprotocol") ?? "https";
    blobEndpoint = `${protocol}://${accountName}.blob.${fields.get("endpointsuffix") ?? "core.windows.net"}`;
  }
  if (!/^https?:\/\//i.test(blobEndpoint)) throw new ConnectionStringError("BlobEndpoint is not an http(s) URL");
  if (!accountKey && !fields.get("sharedaccesssignature")) throw new ConnectionStringError("the connection string has neither AccountKey nor SharedAccessSignature");
  return { accountName, accountKey, blobEndpoint: blobEndpoint.replace(/\/+$/, "") };
}

/** `container/path/blob` of a RelativeLocation; a leading `/` is accepted (contract §2.2). */
export function splitRelativeLocation(relativeLocation: string): { container: string; blobName: string } | undefined {
  const clean = relativeLocation.replace(/^\/+/, "");
  const slash = clean.indexOf("/");
  if (slash <= 0 || slash === clean.length - 1) return undefined;
  return { container: clean.slice(0, slash), blobName: clean.slice(slash + 1) };
}

/** Joins with exactly one `/` (BaseLocation may come with or without its trailing slash, contract §7.1). */
export function joinBlobUrl(baseLocation: string, relativeLocation: string): string {
  return `${baseLocation.replace(/\/+$/, "")}/${relativeLocation.replace(/^\/+/, "")}`;
}

export function withoutQuery(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/** The blob a reference names, with the credentials it carries. Throws ConnectionStringError or a plain Error. */
export function blobClientFor(ref: BlobReference): BlockBlobClient {
  const parts = splitRelativeLocation(ref.relativeLocation);
  if (!parts) throw new Error(`RelativeLocation '${ref.relativeLocation}' is not container/path`);
  if (ref.connectionString) {
    parseConnectionString(ref.connectionString);
    return BlobServiceClient.fromConnectionString(ref.connectionString, PIPELINE_OPTIONS)
      .getContainerClient(parts.container)
      .getBlockBlobClient(parts.blobName);
  }
  if (!ref.baseLocation) throw new Error("the reference has neither ConnectionString nor BaseLocation");
  const sas = ref.sasBlobToken ? (ref.sasBlobToken.startsWith("?") ? ref.sasBlobToken : `?${ref.sasBlobToken}`) : "";
  return new BlockBlobClient(joinBlobUrl(ref.baseLocation, ref.relativeLocation) + sas, undefined, PIPELINE_OPTIONS);
}

/** A blob read through an account key (ARM assets: the web service's storageAccount, contract §4.4). */
export function blobClientForUri(uri: string, accountName: string, accountKey: string): BlockBlobClient {
  return new BlockBlobClient(withoutQuery(uri), new StorageSharedKeyCredential(accountName, accountKey), PIPELINE_OPTIONS);
}

/** A blob read through a connection string given as ARM `locationInfo.credentials`. */
export function blobClientForUriWithConnectionString(uri: string, connectionString: string): BlockBlobClient {
  const info = parseConnectionString(connectionString);
  if (!info.accountName || !info.accountKey) throw new ConnectionStringError("the credentials carry no AccountName/AccountKey");
  return blobClientForUri(uri, info.accountName, info.accountKey);
}

export interface BlobContent {
  bytes: Buffer;
  /** Without quotes. */
  etag: string;
}

export async function readBlob(client: BlockBlobClient): Promise<BlobContent> {
  const response = await client.download();
  const chunks: Buffer[] = [];
  for await (const chunk of response.readableStreamBody as NodeJS.ReadableStream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return { bytes: Buffer.concat(chunks), etag: (response.etag ?? "").replace(/^"|"$/g, "") };
}

/** Writes a blob, creating its container when the reference carries an account key. */
export async function writeBlob(ref: BlobReference, data: Buffer | string, contentType: string): Promise<string> {
  const client = blobClientFor(ref);
  const body = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  if (ref.connectionString) {
    const parts = splitRelativeLocation(ref.relativeLocation)!;
    await BlobServiceClient.fromConnectionString(ref.connectionString, PIPELINE_OPTIONS).getContainerClient(parts.container).createIfNotExists();
  }
  const response = await client.upload(body, body.length, { blobHTTPHeaders: { blobContentType: contentType } });
  return (response.etag ?? "").replace(/^"|"$/g, "");
}

/** BaseLocation of a reference: the account's blob endpoint with a trailing `/` (contract §2.4). */
export function baseLocationOf(ref: BlobReference): string {
  const base = ref.connectionString ? parseConnectionString(ref.connectionString).blobEndpoint : (ref.baseLocation ?? "");
  return base.endsWith("/") ? base : `${base}/`;
}

/**
 * A fresh read SAS for a result. With an account key: container-scoped `sp=rl`, about 24 h. A reference given in SAS
 * form carries no key, so the client's own token is handed back.
 */
export function mintResultSas(ref: BlobReference, now = Date.now()): string {
  const info = ref.connectionString ? parseConnectionString(ref.connectionString) : undefined;
  if (!info?.accountName || !info.accountKey) {
    const sas = ref.sasBlobToken ?? "";
    return sas === "" || sas.startsWith("?") ? sas : `?${sas}`;
  }
  const { container } = splitRelativeLocation(ref.relativeLocation)!;
  const sas = generateBlobSASQueryParameters(
    {
      containerName: container,
      permissions: ContainerSASPermissions.parse("rl"),
      startsOn: new Date(now - SAS_CLOCK_SKEW_MS),
      expiresOn: new Date(now + RESULT_SAS_VALIDITY_MS),
    },
    new StorageSharedKeyCredential(info.accountName, info.accountKey),
  );
  return `?${sas.toString()}`;
}

/** `container/path` of a blob URL (Azure host style or Azurite path style). */
export function containerPathOfUrl(url: string, accountName?: string): string {
  const u = new URL(withoutQuery(url));
  const segments = u.pathname.replace(/^\/+/, "").split("/").map(decodeURIComponent);
  const pathStyle = /^(\d+\.\d+\.\d+\.\d+|localhost|\[[0-9a-f:]+\])$/i.test(u.hostname) || (accountName !== undefined && segments[0] === accountName && !u.hostname.startsWith(`${accountName}.`));
  return (pathStyle ? segments.slice(1) : segments).join("/");
}

/** A short, secret-free description of a storage failure: the service's error code and status. */
export function describeStorageError(err: unknown): string {
  if (err instanceof RestError) {
    const code = err.code ?? (err.details as { errorCode?: string } | undefined)?.errorCode ?? "StorageError";
    return err.statusCode ? `${code} (HTTP ${err.statusCode})` : code;
  }
  if (err instanceof Error) return (err as NodeJS.ErrnoException).code ?? err.message.split("\n")[0];
  return String(err);
}

export function isBlobMissing(err: unknown): boolean {
  return err instanceof RestError && (err.statusCode === 404 || err.code === "BlobNotFound" || err.code === "ContainerNotFound");
}
