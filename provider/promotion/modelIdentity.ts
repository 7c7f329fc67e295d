/**
 * A model's identity is its bytes (issue 16): the lowercase hex SHA-256 of the blob, computed by the provider from
 * one GET, kept beside the etag it was read at. Storage gives a blob a new etag on every write, so
 * `container/path@etag` names one content: a version is hashed once per process, not once per target or per step.
 */
import { createHash } from "crypto";
import { BlobIdentity, StorageAccess, blobEndpointOf, getBlobIdentity, readBlobBytes } from "../clients/storage";

/** What `ModelBlobRef.sha256` holds. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface ModelContent extends BlobIdentity {
  sha256: string;
}

const hashes = new Map<string, string>();
const reading = new Map<string, Promise<ModelContent | undefined>>();

export function sha256Hex(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const versionKey = (access: StorageAccess, b: { container: string; path: string; etag: string }) => `${blobEndpointOf(access)}${b.container}/${b.path}@${b.etag}`;

/** Short form for messages: `sha256 1a2b3c4d5e6f…`. */
export function shortSha(sha256: string | undefined): string {
  return sha256 ? `sha256 ${sha256.slice(0, 12)}…` : "sha256 unknown";
}

/**
 * The blob's identity and the SHA-256 of its bytes, or undefined when it does not exist. One HEAD when this
 * version was hashed before in this process, else one GET (whose etag is the one the bytes were read at).
 */
export async function readModelIdentity(access: StorageAccess, container: string, path: string): Promise<ModelContent | undefined> {
  const head = await getBlobIdentity(access, container, path);
  if (!head) return undefined;
  const known = hashes.get(versionKey(access, head));
  if (known) return { ...head, sha256: known };
  const key = versionKey(access, head);
  let pending = reading.get(key);
  if (!pending) {
    pending = readBlobBytes(access, container, path).then((read) => {
      if (!read) return undefined;
      const sha256 = sha256Hex(read.bytes);
      hashes.set(versionKey(access, read.identity), sha256);
      return { ...read.identity, sha256 };
    });
    reading.set(key, pending);
    pending.finally(() => reading.delete(key)).catch(() => undefined);
  }
  return pending;
}

/** `container/path (etag E, sha256 …)`: how messages name one identity. */
export function describeIdentity(m: { container: string; path: string; etag?: string; sha256?: string }): string {
  return `${m.container}/${m.path} (etag ${m.etag || "unknown"}, ${shortSha(m.sha256)})`;
}
