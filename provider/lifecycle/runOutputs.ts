/**
 * What training runs share (RetrainingRun, PipelineRun): the dataset's identity, recorded as an input so preview
 * shows why a run trains again, and the trained model read back from storage with its evaluation metrics.
 */
import { BlobIdentity, ModelMetrics, StorageAccess, evaluationPathFor, getBlobIdentity, parseEvaluationMetrics, readBlobText } from "../clients/storage";
import { failure, formatFailure, isServiceError } from "../errors";
import { InputFailure, ModelBlobRef, toCheckFailures } from "../validation";
import { markTrainedInThisDeployment } from "../promotion/freshModels";

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

/**
 * The model a run wrote, as a ModelBlobRef with the metrics of `evaluation.csv` beside it (or at `evaluation`).
 * Fails when the model blob is missing: a run that trained nothing must not be promoted.
 */
export async function readTrainedModel(
  access: StorageAccess,
  model: BlobLocation,
  ctx: RunContext,
  evaluation: BlobLocation = { container: model.container, path: evaluationPathFor(model.path) },
): Promise<{ model: ModelBlobRef; evaluation?: BlobLocation; metrics?: ModelMetrics }> {
  let identity: BlobIdentity | undefined;
  let metrics: ModelMetrics | undefined;
  let evaluationFound = false;
  try {
    identity = await getBlobIdentity(access, model.container, model.path);
    const text = await readBlobText(access, evaluation.container, evaluation.path);
    if (text !== undefined) {
      evaluationFound = true;
      metrics = parseEvaluationMetrics(text);
    }
  } catch (err) {
    throw failure(ctx.type, ctx.name, `read the outputs of ${ctx.run}`, err, undefined, ctx.secrets);
  }
  if (!identity) throw new Error(`${ctx.type} "${ctx.name}": ${ctx.run} finished but wrote no model at ${model.container}/${model.path}. ${ctx.missingModelFix}.`);
  const hasMetrics = !!metrics && Object.keys(metrics).length > 0;
  // Read only after a job ran, at apply: a binding of the same deployment must know no preview showed it.
  markTrainedInThisDeployment(identity);
  return {
    model: {
      container: identity.container,
      path: identity.path,
      etag: identity.etag,
      lastModified: identity.lastModified,
      size: identity.size,
      ...(identity.contentMd5 ? { contentMd5: identity.contentMd5 } : {}),
      ...(hasMetrics ? { metrics } : {}),
    },
    ...(evaluationFound ? { evaluation } : {}),
    ...(hasMetrics ? { metrics } : {}),
  };
}
