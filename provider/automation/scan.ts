/**
 * The repository scan of the model-update automation (issue 17 item 2): every model under a source's prefix with
 * its identity, the chosen one's SHA-256, and the metrics the review and the gate policy read. Storage reads only.
 */
import { createHash } from "crypto";
import { BlobClient } from "@azure/storage-blob";
import { BlobIdentity, ModelMetrics, StorageAccess, evaluationPathFor, listBlobs, parseEvaluationMetrics, readBlobText, signedBlobUrl } from "../clients/storage";
import { failure } from "../errors";
import type { ModelPin } from "../pinnedModel";
import { ModelSource, chooseModel } from "./policy";

/**
 * SHA-256 (lowercase hex) of a blob's bytes, streamed. Issue 16 exports the provider's own; this one is the
 * automation's until then (same definition: the hash of the bytes as stored).
 */
export async function blobSha256(access: StorageAccess, container: string, path: string): Promise<string> {
  const response = await new BlobClient(signedBlobUrl(access, container, path, 15)).download();
  const hash = createHash("sha256");
  for await (const chunk of response.readableStreamBody as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest("hex");
}

export async function modelMetrics(access: StorageAccess, b: Pick<BlobIdentity, "container" | "path">): Promise<ModelMetrics | undefined> {
  const text = await readBlobText(access, b.container, evaluationPathFor(b.path));
  const metrics = text ? parseEvaluationMetrics(text) : {};
  return Object.keys(metrics).length > 0 ? metrics : undefined;
}

export interface ScanResult {
  source: ModelSource;
  /** The pin the policy wants, or undefined when no model qualifies. */
  wanted?: ModelPin & { lastModified: string; metrics?: ModelMetrics };
  /** Why this model (or why none). */
  reason: string;
}

/** Lists the source's models, applies its policy and hashes the chosen blob. */
export async function scanSource(access: StorageAccess, source: ModelSource, pinned?: Partial<ModelPin>): Promise<ScanResult> {
  const where = `${source.container}/${source.prefix ?? ""}`;
  const secrets = [access.accountKey, access.userDelegationKey?.value];
  try {
    const blobs = await listBlobs(access, source.container, source.prefix);
    if (!blobs) return { source, reason: `container "${source.container}" does not exist` };
    const pinnedMetrics = pinned?.container && pinned.path ? await modelMetrics(access, { container: pinned.container, path: pinned.path }) : undefined;
    const chosen = await chooseModel(source, blobs, (b) => modelMetrics(access, b), pinnedMetrics);
    if (!chosen.model) return { source, reason: chosen.reason };
    const { container, path, lastModified } = chosen.model;
    const metrics = chosen.metrics ?? (await modelMetrics(access, chosen.model));
    const sha256 = await blobSha256(access, container, path);
    return { source, wanted: { container, path, sha256, lastModified, ...(metrics ? { metrics } : {}) }, reason: chosen.reason };
  } catch (err) {
    throw failure("azureml-retrain-update", where, "scan models", err, "Check the storage account, blob endpoint and key", secrets);
  }
}
