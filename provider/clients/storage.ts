/**
 * Blob side (contract §7): blob identity, listing for getLatestModelBlob, evaluation CSV parsing, SAS minting.
 *
 * Our own reads use a SAS minted for seconds-to-minutes from the account key or user-delegation key, sent
 * through the transport so they are logged, retried and concurrency-limited like every other request.
 * Runs inside the dynamic provider: packages are loaded with `require` inside functions.
 */
import { HttpSettings, STORAGE_API_VERSION, joinUrl, send, withQuery } from "../transport";

export function defaultBlobEndpoint(accountName: string): string {
  return `https://${accountName}.blob.core.windows.net/`;
}

/**
 * A user-delegation key as returned by Get User Delegation Key (Azure Storage REST), with dates as ISO strings.
 * Lets the provider mint SAS tokens without the account key.
 */
export interface UserDelegationKey {
  signedObjectId: string;
  signedTenantId: string;
  signedStartsOn: string;
  signedExpiresOn: string;
  signedService: string;
  signedVersion: string;
  value: string;
}

/** How to reach a storage account. One of accountKey / userDelegationKey is needed for any call. */
export interface StorageAccess {
  accountName: string;
  /** Blob endpoint; default `https://{accountName}.blob.core.windows.net/`. */
  blobEndpoint?: string;
  accountKey?: string;
  userDelegationKey?: UserDelegationKey;
  http?: HttpSettings;
}

/** What identifies one version of a blob. */
export interface BlobIdentity {
  container: string;
  path: string;
  /** ETag without quotes. */
  etag: string;
  size: number;
  /** ISO 8601. */
  lastModified: string;
  /** Base64 MD5 of the content, when storage has one. */
  contentMd5?: string;
}

/** The evaluation numbers users review before promoting a model (Evaluate Model output, docs/interfaces.md). */
export interface ModelMetrics {
  auc?: number;
  accuracy?: number;
  precision?: number;
  recall?: number;
  f1?: number;
}

export const DEFAULT_SAS_LIFETIME_MINUTES = 15;
/** `st` is set this far in the past to absorb clock skew (contract §7.2). */
export const SAS_CLOCK_SKEW_MINUTES = 5;
/** SAS for the provider's own reads: just long enough for the request and its retries. */
const READ_SAS_LIFETIME_MINUTES = 10;

/** Blob endpoint with exactly one trailing `/`. */
export function blobEndpointOf(access: { accountName: string; blobEndpoint?: string }): string {
  const base = access.blobEndpoint && access.blobEndpoint.length > 0 ? access.blobEndpoint : defaultBlobEndpoint(access.accountName);
  return `${base.replace(/\/+$/, "")}/`;
}

function encodePath(path: string): string {
  return path
    .replace(/^\/+/, "")
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/");
}

/** Blob URL without any SAS (what ARM assets take, contract §4.4). */
export function blobUrl(access: { accountName: string; blobEndpoint?: string }, container: string, path: string): string {
  return joinUrl(blobEndpointOf(access), `${encodeURIComponent(container)}/${encodePath(path)}`);
}

export interface SasRequest {
  access: StorageAccess;
  container: string;
  /** Blob path; omit for a container SAS. */
  path?: string;
  /** SAS permissions in canonical order, e.g. `r` (blob) or `rl` (container). Default `r`. */
  permissions?: string;
  lifetimeMinutes?: number;
  now?: Date;
}

/**
 * Mints a SAS query string with its leading `?`: blob-scoped (`sr=b`) when a path is given, else container-scoped
 * (`sr=c`); `st` a few minutes in the past, `se` = now + lifetime (default 15 minutes).
 */
export function mintSas(req: SasRequest): string {
  const sb = require("@azure/storage-blob") as typeof import("@azure/storage-blob");
  const now = req.now ?? new Date();
  const lifetime = req.lifetimeMinutes ?? DEFAULT_SAS_LIFETIME_MINUTES;
  const startsOn = new Date(now.getTime() - SAS_CLOCK_SKEW_MINUTES * 60_000);
  const expiresOn = new Date(now.getTime() + lifetime * 60_000);
  const perms = req.permissions ?? "r";
  const values: import("@azure/storage-blob").BlobSASSignatureValues = {
    containerName: req.container,
    blobName: req.path,
    permissions: req.path ? sb.BlobSASPermissions.parse(perms) : sb.ContainerSASPermissions.parse(perms),
    startsOn,
    expiresOn,
    version: STORAGE_API_VERSION,
  };
  let query: string;
  if (req.access.accountKey) {
    const cred = new sb.StorageSharedKeyCredential(req.access.accountName, req.access.accountKey);
    query = sb.generateBlobSASQueryParameters(values, cred).toString();
  } else if (req.access.userDelegationKey) {
    const k = req.access.userDelegationKey;
    const key = {
      signedObjectId: k.signedObjectId,
      signedTenantId: k.signedTenantId,
      signedStartsOn: new Date(k.signedStartsOn),
      signedExpiresOn: new Date(k.signedExpiresOn),
      signedService: k.signedService,
      signedVersion: k.signedVersion,
      value: k.value,
    };
    query = sb.generateBlobSASQueryParameters(values, key, req.access.accountName).toString();
  } else {
    throw new Error("storage access needs storageAccountKey or storageUserDelegationKey to mint a SAS");
  }
  return `?${query}`;
}

/** A blob URL with a fresh read-only blob SAS. Never log or store it. */
export function signedBlobUrl(access: StorageAccess, container: string, path: string, lifetimeMinutes?: number): string {
  return `${blobUrl(access, container, path)}${mintSas({ access, container, path, permissions: "r", lifetimeMinutes })}`;
}

function unquote(etag: string | undefined): string {
  return (etag ?? "").replace(/^W\//, "").replace(/^"|"$/g, "");
}

function isoDate(httpDate: string | undefined): string {
  if (!httpDate) return "";
  const t = Date.parse(httpDate);
  return Number.isNaN(t) ? httpDate : new Date(t).toISOString();
}

/** A blob's identity from the headers of a HEAD or GET of it. */
function identityOfHeaders(container: string, path: string, headers: Record<string, string | undefined>): BlobIdentity {
  const md5 = headers["content-md5"];
  return {
    container,
    path,
    etag: unquote(headers["etag"]),
    size: Number(headers["content-length"] ?? 0),
    lastModified: isoDate(headers["last-modified"]),
    ...(md5 ? { contentMd5: md5 } : {}),
  };
}

/** HEAD of one blob: its identity, or undefined when it (or its container) does not exist. */
export async function getBlobIdentity(access: StorageAccess, container: string, path: string): Promise<BlobIdentity | undefined> {
  const url = signedBlobUrl(access, container, path, READ_SAS_LIFETIME_MINUTES);
  const res = await send({
    surface: "storage",
    method: "HEAD",
    url,
    headers: { "x-ms-version": STORAGE_API_VERSION },
    acceptStatus: [404],
    settings: access.http,
  });
  return res.status === 404 ? undefined : identityOfHeaders(container, path, res.headers);
}

/** GET of a blob's bytes with the identity they were read at (one response: bytes and etag agree). */
export async function readBlobBytes(access: StorageAccess, container: string, path: string): Promise<{ identity: BlobIdentity; bytes: Buffer } | undefined> {
  const url = signedBlobUrl(access, container, path, READ_SAS_LIFETIME_MINUTES);
  const res = await send<Buffer>({
    surface: "storage",
    method: "GET",
    url,
    headers: { "x-ms-version": STORAGE_API_VERSION, Accept: "*/*" },
    acceptStatus: [404],
    settings: access.http,
    binary: true,
  });
  return res.status === 404 ? undefined : { identity: identityOfHeaders(container, path, res.headers), bytes: res.data };
}

/** GET of a small text blob (an evaluation CSV, a manifest) as UTF-8, or undefined when it does not exist. */
export async function readBlobText(access: StorageAccess, container: string, path: string): Promise<string | undefined> {
  return (await readBlobBytes(access, container, path))?.bytes.toString("utf8");
}

function xmlValue(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? decodeXml(m[1]) : undefined;
}

function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
    .replace(/&amp;/g, "&");
}

/** Parses a List Blobs response body (flat listing). */
export function parseListBlobsXml(container: string, xml: string): { blobs: BlobIdentity[]; nextMarker?: string } {
  const blobs: BlobIdentity[] = [];
  const re = /<Blob>([\s\S]*?)<\/Blob>/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml)) !== null) {
    const body = m[1];
    const name = xmlValue(body, "Name");
    if (!name) continue;
    const md5 = xmlValue(body, "Content-MD5");
    blobs.push({
      container,
      path: name,
      etag: unquote(xmlValue(body, "Etag")),
      size: Number(xmlValue(body, "Content-Length") ?? 0),
      lastModified: isoDate(xmlValue(body, "Last-Modified")),
      ...(md5 ? { contentMd5: md5 } : {}),
    });
  }
  const marker = xmlValue(xml, "NextMarker");
  return { blobs, nextMarker: marker && marker.length > 0 ? marker : undefined };
}

/** Lists the blobs under a prefix (all pages). Undefined when the container does not exist. */
export async function listBlobs(access: StorageAccess, container: string, prefix?: string): Promise<BlobIdentity[] | undefined> {
  const out: BlobIdentity[] = [];
  let marker: string | undefined;
  const sas = mintSas({ access, container, permissions: "rl", lifetimeMinutes: READ_SAS_LIFETIME_MINUTES });
  do {
    const url = `${withQuery(joinUrl(blobEndpointOf(access), encodeURIComponent(container)), {
      restype: "container",
      comp: "list",
      prefix: prefix && prefix.length > 0 ? prefix : undefined,
      marker,
      maxresults: "5000",
    })}&${sas.slice(1)}`;
    const res = await send<unknown>({
      surface: "storage",
      method: "GET",
      url,
      headers: { "x-ms-version": STORAGE_API_VERSION, Accept: "application/xml" },
      acceptStatus: [404],
      settings: access.http,
    });
    if (res.status === 404) return undefined;
    const page = parseListBlobsXml(container, String(res.data ?? ""));
    out.push(...page.blobs);
    marker = page.nextMarker;
  } while (marker);
  return out;
}

export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      cells.push(cur);
      cur = "";
    } else cur += c;
  }
  cells.push(cur);
  return cells.map((x) => x.trim());
}

/**
 * Parses the Evaluate Model CSV (docs/interfaces.md: one header line, one data line) into the metrics users
 * review. Columns are found by header name, case-insensitively; missing or non-numeric ones are left out.
 */
export function parseEvaluationMetrics(text: string): ModelMetrics {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (lines.length < 2) return {};
  const header = splitCsvLine(lines[0]).map((h) => h.toLowerCase());
  const row = splitCsvLine(lines[1]);
  const get = (...names: string[]): number | undefined => {
    for (const n of names) {
      const i = header.indexOf(n.toLowerCase());
      if (i >= 0 && row[i] !== undefined && row[i] !== "") {
        const v = Number(row[i]);
        if (Number.isFinite(v)) return v;
      }
    }
    return undefined;
  };
  const out: ModelMetrics = {};
  // Four decimals: what a reviewer compares in a preview diff; more digits are noise.
  const set = (k: keyof ModelMetrics, v: number | undefined): void => {
    if (v !== undefined) out[k] = Math.round(v * 10_000) / 10_000;
  };
  set("auc", get("AUC"));
  set("accuracy", get("Accuracy"));
  set("precision", get("Precision"));
  set("recall", get("Recall"));
  set("f1", get("F-Score", "F1", "F1 Score", "FScore"));
  return out;
}

/** `container/path` of the evaluation blob that sits beside a model (`evaluation.csv` in the same folder). */
export function evaluationPathFor(modelPath: string): string {
  const i = modelPath.lastIndexOf("/");
  return i < 0 ? "evaluation.csv" : `${modelPath.slice(0, i)}/evaluation.csv`;
}

/** Splits `container/path/to/blob` (a RelativeLocation) into container and path. */
export function splitRelativeLocation(relative: string): { container: string; path: string } {
  const clean = relative.replace(/^\/+/, "");
  const i = clean.indexOf("/");
  return i < 0 ? { container: clean, path: "" } : { container: clean.slice(0, i), path: clean.slice(i + 1) };
}

/** Connection-string form of a BES blob reference (contract §2.2); includes the endpoint when not the default. */
export function connectionString(access: StorageAccess): string {
  const endpoint = blobEndpointOf(access);
  const isDefault = endpoint === defaultBlobEndpoint(access.accountName);
  const protocol = endpoint.startsWith("http://") ? "http" : "https";
  let s = `DefaultEndpointsProtocol=${protocol};AccountName=${access.accountName};AccountKey=${access.accountKey ?? ""}`;
  if (!isDefault) s += `;BlobEndpoint=${endpoint.replace(/\/+$/, "")}`;
  return s;
}
