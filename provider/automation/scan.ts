/**
 * The repository scan of the model-update automation (issue 17 item 2): every model under a source's prefix with
 * its identity, the chosen one's SHA-256, and the metrics the review and the gate policy read. Storage reads only.
 */
import { BlobIdentity, ModelMetrics, StorageAccess, listBlobs } from "../clients/storage";
import { provenanceOf, readModelManifest } from "../promotion/manifest";
import { readModelIdentity } from "../promotion/modelIdentity";
import { failure } from "../errors";
import type { ModelPin } from "../pinnedModel";
import { ModelSource, chooseModel } from "./policy";

/**
 * Metrics the model's own manifest vouches for (issue 16): the gate policy trusts nothing else, as the binding's gate
 * does. One HEAD and, once per blob version, one GET of the bytes to hash them, then one GET of the manifest.
 */
export async function modelMetrics(access: StorageAccess, b: Pick<BlobIdentity, "container" | "path">): Promise<ModelMetrics | undefined> {
  const identity = await readModelIdentity(access, b.container, b.path);
  if (!identity) return undefined;
  const trusted = provenanceOf(identity.sha256, await readModelManifest(access, b.container, b.path), `${b.container}/${b.path}`).metrics;
  return trusted && Object.keys(trusted).length > 0 ? (trusted as ModelMetrics) : undefined;
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
    const identity = await readModelIdentity(access, container, path);
    if (!identity) return { source, reason: `${container}/${path} was deleted while it was scanned` };
    const sha256 = identity.sha256;
    return { source, wanted: { container, path, sha256, lastModified, ...(metrics ? { metrics } : {}) }, reason: chosen.reason };
  } catch (err) {
    throw failure("azureml-retrain-update", where, "scan models", err, "Check the storage account, blob endpoint and key", secrets);
  }
}
