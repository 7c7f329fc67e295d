/**
 * Resolves a declared model reference to what its blob holds (issue 16), at check time for a binding or a wave:
 * the bytes' SHA-256 (and the etag, size, last-modified they were read at, for a pin `{ container, path, sha256 }`),
 * a declared sha256 or etag that the blob no longer matches refused with both identities named, and the metrics
 * trusted only through the model's own manifest. Metrics written in the program are kept as `unverifiedMetrics`, so
 * the diff shows them, and never reach the gate. A pinned sha256 whose source path was overwritten resolves to the
 * content-addressed copy of those bytes when one exists (a rollback to a model bound before).
 */
import type { StorageAccess } from "../clients/storage";
import type { InputFailure, ModelBlobRef } from "../validation";
import { stableJson } from "../validation";
import { metricRangeProblems, provenanceOf, readModelManifest } from "./manifest";
import { describeIdentity, readModelIdentity } from "./modelIdentity";
import { copyPathFor, isContentAddressed } from "./immutableCopy";

const sameVersion = (a: Partial<ModelBlobRef> | undefined, b: Partial<ModelBlobRef>) =>
  !!a && a.container === b.container && a.path === b.path && !!a.sha256 && (b.etag === undefined || a.etag === b.etag) && (b.sha256 === undefined || a.sha256 === b.sha256);

/** Metrics the program declared beside a model, when they are not the verified ones. */
function declared(model: Partial<ModelBlobRef>, verified: ModelBlobRef["metrics"]): ModelBlobRef["metrics"] | undefined {
  const mine = model.unverifiedMetrics ?? model.metrics;
  if (!mine || Object.keys(mine).length === 0) return undefined;
  return stableJson(mine) === stableJson(verified) ? undefined : mine;
}

/**
 * The model reference with its content identity and trusted metrics. `recorded` is the model of the stored state:
 * an unchanged version (same container, path, etag and hash) takes its identity from there with no request, so a
 * no-op preview stays free. Otherwise one HEAD, one GET of the bytes (once per version per process) and one GET of
 * the manifest.
 */
export async function resolveModelContent(access: StorageAccess, property: string, model: ModelBlobRef, recorded?: ModelBlobRef): Promise<{ model: ModelBlobRef; failures: InputFailure[] }> {
  const failures: InputFailure[] = [];
  const problems = metricRangeProblems({ ...(model.metrics ?? {}), ...(model.unverifiedMetrics ?? {}) });
  if (problems.length > 0) {
    failures.push({ property: `${property}.metrics`, reason: `the metrics declared for ${model.container}/${model.path} are out of range: ${problems.join("; ")}`, fix: "Rates are in [0, 1] and counts ≥ 0; take metrics from the run's manifest instead of writing them. Nothing was written" });
    return { model, failures };
  }
  if (sameVersion(recorded, model)) {
    const r = recorded!;
    const unverified = declared(model, r.metrics);
    return { model: withIdentity(model, r, r.metrics, unverified), failures };
  }
  let content = await readModelIdentity(access, model.container, model.path);
  if (model.sha256 !== undefined && content?.sha256 !== model.sha256 && !isContentAddressed(model.path)) {
    // The path no longer holds the pinned bytes; their content-addressed copy (written when they were bound) does.
    const copy = await readModelIdentity(access, model.container, copyPathFor(model.sha256));
    if (copy?.sha256 === model.sha256) {
      content = copy;
      model = { ...model, path: copy.path, etag: copy.etag };
    }
  }
  if (!content) {
    failures.push({ property: `${property}.path`, reason: `model blob ${model.container}/${model.path} does not exist in storage account ${access.accountName}`, fix: "Check model.container and model.path, or resolve the model again with getLatestModelBlob. Nothing was written" });
    return { model, failures };
  }
  if (model.sha256 !== undefined && model.sha256 !== content.sha256) {
    failures.push({
      property: `${property}.sha256`,
      reason: `model blob ${model.container}/${model.path} holds other bytes than the program declares: expected sha256 ${model.sha256}, actual sha256 ${content.sha256} (etag ${content.etag})`,
      fix: "Point the pin at the blob that holds the reviewed bytes, or review this model and pin its sha256. Nothing was written",
    });
    return { model, failures };
  }
  if (model.sha256 === undefined && model.etag && model.etag !== content.etag) {
    failures.push({
      property: `${property}.etag`,
      reason: `model blob ${model.container}/${model.path} changed since it was resolved: it was etag ${model.etag}, it is now ${describeIdentity(content)}`,
      fix: "Run preview again so the binding shows and binds the current bytes. Nothing was written",
    });
    return { model, failures };
  }
  const read = await readModelManifest(access, model.container, model.path);
  const provenance = provenanceOf(content.sha256, read, `${model.container}/${model.path}`);
  if (provenance.malformed) {
    failures.push({ property: `${property}.metrics`, reason: provenance.malformed, fix: "Retrain the model (the run writes a valid manifest) or fix the manifest. Nothing was written" });
    return { model, failures };
  }
  return { model: withIdentity(model, content, provenance.metrics, declared(model, provenance.metrics)), failures };
}

function withIdentity(model: ModelBlobRef, id: Pick<ModelBlobRef, "etag" | "lastModified" | "size" | "contentMd5" | "sha256">, metrics: ModelBlobRef["metrics"], unverified: ModelBlobRef["metrics"]): ModelBlobRef {
  const { metrics: _m, unverifiedMetrics: _u, contentMd5: _c, ...rest } = model;
  return {
    ...rest,
    etag: id.etag,
    lastModified: id.lastModified,
    size: id.size,
    ...(id.contentMd5 ? { contentMd5: id.contentMd5 } : {}),
    sha256: id.sha256,
    ...(metrics && Object.keys(metrics).length > 0 ? { metrics } : {}),
    ...(unverified ? { unverifiedMetrics: unverified } : {}),
  };
}
