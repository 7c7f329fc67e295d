/**
 * What training runs share (RetrainingRun, PipelineRun): the dataset's identity, recorded as an input so preview
 * shows why a run trains again, and the trained model read back from storage with its evaluation metrics.
 */
import { BlobIdentity, ModelMetrics, StorageAccess, evaluationPathFor, getBlobIdentity, parseEvaluationMetrics, readBlobText } from "../clients/storage";
import { failure, formatFailure, isServiceError } from "../errors";
import { InputFailure, ModelBlobRef, toCheckFailures } from "../validation";
import { markTrainedInThisDeployment } from "../promotion/freshModels";
import { MANIFEST_VERSION, evaluationCsvMetrics, provenanceOf, readModelManifest, writeModelManifest } from "../promotion/manifest";
import { ModelContent, readModelIdentity } from "../promotion/modelIdentity";

export interface BlobLocation {
  container: string;
  path: string;
}

/** The dataset's identity as an input records it (no size: a size change always changes the etag). */
export interface DatasetSeen {
  etag: string;
  lastModified: string;
  contentMd5?: string;
}

export function datasetSeen(b: BlobIdentity): DatasetSeen {
  return { etag: b.etag, lastModified: b.lastModified, ...(b.contentMd5 ? { contentMd5: b.contentMd5 } : {}) };
}

/** The recorded identity in the shape diffs compare with the state's `inputIdentity`. */
export function identityFromSeen(input: BlobLocation, seen: DatasetSeen | undefined): BlobIdentity | undefined {
  return seen ? { container: input.container, path: input.path, size: 0, ...seen } : undefined;
}

/** Reads the dataset blob's identity; a missing blob or a failed read becomes an input failure (nothing written). */
export async function datasetIdentity(
  access: StorageAccess,
  input: BlobLocation,
  type: string,
  name: string,
  secrets: string[],
): Promise<{ identity?: BlobIdentity; failures: InputFailure[] }> {
  try {
    const identity = await getBlobIdentity(access, input.container, input.path);
    if (!identity) {
      return { failures: [{ property: "input.path", reason: `dataset blob ${input.container}/${input.path} does not exist`, fix: "Upload the dataset first, or fix input.container/input.path" }] };
    }
    return { identity, failures: [] };
  } catch (err) {
    // Refused credentials point at the key; anything else (unreachable, wrong host) at the endpoint.
    const denied = isServiceError(err) && (err.status === 401 || err.status === 403);
    return {
      failures: [{
        property: denied ? "storageAccountKey" : "storageBlobEndpoint",
        reason: formatFailure(type, name, "read the dataset blob", err, undefined, secrets),
        fix: denied ? "Check storageAccountName and the storage key. Nothing was written" : "Check storageBlobEndpoint and storageAccountName. Nothing was written",
      }],
    };
  }
}

export function failuresText(type: string, name: string, failures: InputFailure[]): string {
  return toCheckFailures(failures).map((f) => `${type} "${name}": ${f.property}: ${f.reason}`).join("\n");
}

/** Who reads a run's outputs, for messages: the resource, the run, what to check when no model is there. */
export interface RunContext {
  type: string;
  name: string;
  /** e.g. `training job 42` or `pipeline run 0c1…`. */
  run: string;
  secrets: string[];
  missingModelFix: string;
}

/** A blob's identity, and the metrics of its evaluation when there are any, as the model reference bindings take. */
export function modelRefOf(identity: BlobIdentity & { sha256?: string }, metrics?: ModelMetrics): ModelBlobRef {
  return {
    container: identity.container,
    path: identity.path,
    etag: identity.etag,
    lastModified: identity.lastModified,
    size: identity.size,
    ...(identity.contentMd5 ? { contentMd5: identity.contentMd5 } : {}),
    ...(identity.sha256 ? { sha256: identity.sha256 } : {}),
    ...(metrics && Object.keys(metrics).length ? { metrics } : {}),
  };
}

/**
 * The model a run wrote, as a ModelBlobRef with the SHA-256 of its bytes and the metrics of its evaluation output
 * (`evaluation.csv` beside it, or at `evaluation`). The run vouches for the pair: unless a manifest naming this hash
 * is already there (the emulator's training writes one), it writes `<model>.manifest.json` (issue 16), so a gate
 * can trust those metrics for exactly these bytes. Fails when the model blob is missing (a run that trained nothing
 * must not be promoted) or the evaluation is malformed.
 */
export async function readTrainedModel(
  access: StorageAccess,
  model: BlobLocation,
  ctx: RunContext,
  evaluation: BlobLocation = { container: model.container, path: evaluationPathFor(model.path) },
): Promise<{ model: ModelBlobRef; evaluation?: BlobLocation; metrics?: ModelMetrics }> {
  let content: ModelContent | undefined;
  let metrics: ModelMetrics | undefined;
  let evaluationFound = false;
  const where = `${model.container}/${model.path}`;
  try {
    content = await readModelIdentity(access, model.container, model.path);
    if (!content) throw new Error(`${ctx.type} "${ctx.name}": ${ctx.run} finished but wrote no model at ${where}. ${ctx.missingModelFix}.`);
    const provenance = provenanceOf(content.sha256, await readModelManifest(access, model.container, model.path), where);
    const text = await readBlobText(access, evaluation.container, evaluation.path);
    evaluationFound = text !== undefined;
    if (provenance.metrics) metrics = provenance.metrics;
    else if (text !== undefined) {
      const parsed = evaluationCsvMetrics(text);
      if (parsed.problems.length > 0) {
        throw new Error(`${ctx.type} "${ctx.name}": the evaluation ${evaluation.container}/${evaluation.path} of ${ctx.run} is malformed: ${parsed.problems.join("; ")}. Check the training experiment's Evaluate Model output; no metrics were recorded for ${where}.`);
      }
      await writeModelManifest(access, model.container, model.path, { version: MANIFEST_VERSION, sha256: content.sha256, size: content.size, metrics: parsed.metrics, producedBy: ctx.run, createdAt: new Date().toISOString() });
      metrics = parseEvaluationMetrics(text);
    }
  } catch (err) {
    if (err instanceof Error && err.message.startsWith(`${ctx.type} "`)) throw err;
    throw failure(ctx.type, ctx.name, `read the outputs of ${ctx.run}`, err, undefined, ctx.secrets);
  }
  const hasMetrics = !!metrics && Object.keys(metrics).length > 0;
  // Read only after a job ran, at apply: a binding of the same deployment must know no preview showed it.
  markTrainedInThisDeployment(content);
  return {
    model: modelRefOf(content, hasMetrics ? metrics : undefined),
    ...(evaluationFound ? { evaluation } : {}),
    ...(hasMetrics ? { metrics } : {}),
  };
}
