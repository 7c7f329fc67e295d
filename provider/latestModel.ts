/**
 * getLatestModelBlob — the newest `.ilearner` under a container/prefix, with its identity and (when an
 * `evaluation.csv` sits in the same folder) its metrics. Runs in the Pulumi program, not in the provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { HttpSettings } from "./transport";
import { StorageAccess, UserDelegationKey, evaluationPathFor, listBlobs, parseEvaluationMetrics, readBlobText } from "./clients/storage";
import { failure } from "./errors";
import { InputFailure, ModelBlobRef, checkContainer, checkRequired, checkUrl, toCheckFailures } from "./validation";

export interface GetLatestModelBlobArgs {
  storageAccountName: string;
  /** Blob endpoint; default `https://{account}.blob.core.windows.net/`. */
  storageBlobEndpoint?: string;
  /** Account key (used only to mint a read/list SAS for a few minutes). One of this or storageUserDelegationKey. */
  storageAccountKey?: string;
  storageUserDelegationKey?: UserDelegationKey;
  container: string;
  /** Only blobs whose path starts with this (e.g. `census/`). Default: the whole container. */
  prefix?: string;
  /** Read `evaluation.csv` beside the model for its metrics. Default true (one extra storage read when present). */
  includeMetrics?: boolean;
  http?: HttpSettings;
}

export type GetLatestModelBlobInputs = { [K in keyof GetLatestModelBlobArgs]: pulumi.Input<GetLatestModelBlobArgs[K]> };

/** Picks the newest `.ilearner` (last-modified, then path) from a listing. Pure. */
export function pickLatestModel<T extends { path: string; lastModified: string }>(blobs: T[]): T | undefined {
  return blobs
    .filter((b) => b.path.toLowerCase().endsWith(".ilearner"))
    .sort((a, b) => Date.parse(b.lastModified) - Date.parse(a.lastModified) || (a.path < b.path ? 1 : a.path > b.path ? -1 : 0))[0];
}

/**
 * The newest trained model under `container/prefix`: container, path, etag, last-modified, size, content MD5 and,
 * when `evaluation.csv` sits in the same folder, metrics (auc, accuracy, precision, recall, f1).
 * Pass the result to TrainedModelBinding's `model`, so preview shows the old → new identity.
 * Storage reads: one List Blobs (per 5000 blobs) and, with metrics, one GET.
 */
export async function getLatestModelBlob(args: GetLatestModelBlobArgs): Promise<ModelBlobRef> {
  // Arguments are checked before any read, the way check does for resources: property, what is wrong, what to do.
  const problems: InputFailure[] = [];
  checkRequired(problems, "storageAccountName", args.storageAccountName, "Give the storage account that holds the models");
  checkUrl(problems, "storageBlobEndpoint", args.storageBlobEndpoint);
  checkContainer(problems, "container", args.container);
  if (problems.length > 0) {
    throw new Error(toCheckFailures(problems).map((f) => `getLatestModelBlob: ${f.property}: ${f.reason}`).join("\n"));
  }
  const access: StorageAccess = {
    accountName: args.storageAccountName,
    blobEndpoint: args.storageBlobEndpoint,
    accountKey: args.storageAccountKey,
    userDelegationKey: args.storageUserDelegationKey,
    http: args.http,
  };
  const where = `${args.container}/${args.prefix ?? ""}`;
  const secrets = [args.storageAccountKey, args.storageUserDelegationKey?.value];
  let blobs;
  try {
    blobs = await listBlobs(access, args.container, args.prefix);
  } catch (err) {
    throw failure("getLatestModelBlob", where, "list blobs", err, "Check storageAccountName, storageBlobEndpoint and the key", secrets);
  }
  if (!blobs) throw new Error(`getLatestModelBlob "${where}": container "${args.container}" does not exist in storage account ${args.storageAccountName}. Check the container name.`);
  const latest = pickLatestModel(blobs);
  if (!latest) {
    throw new Error(`getLatestModelBlob "${where}": no .ilearner blob under ${where}. Run a training job (RetrainingRun) first, or fix container/prefix.`);
  }
  const model: ModelBlobRef = {
    container: latest.container,
    path: latest.path,
    etag: latest.etag,
    lastModified: latest.lastModified,
    size: latest.size,
    ...(latest.contentMd5 ? { contentMd5: latest.contentMd5 } : {}),
  };
  const evalPath = evaluationPathFor(latest.path);
  if (args.includeMetrics !== false && blobs.some((b) => b.path === evalPath)) {
    try {
      const text = await readBlobText(access, args.container, evalPath);
      if (text !== undefined) {
        const metrics = parseEvaluationMetrics(text);
        if (Object.keys(metrics).length > 0) model.metrics = metrics;
      }
    } catch (err) {
      throw failure("getLatestModelBlob", where, `read ${args.container}/${evalPath}`, err, undefined, secrets);
    }
  }
  return model;
}

/**
 * Output form of getLatestModelBlob for inputs that are Outputs (e.g. a secret key from config). The result is
 * not secret — it is blob identity, which preview must show.
 */
export function getLatestModelBlobOutput(args: GetLatestModelBlobInputs): pulumi.Output<ModelBlobRef> {
  // A RunError is reported as its message alone: the problem is the user's input (key, container, prefix), and a
  // stack trace through the SDK's frames says nothing to the person who has to fix it.
  return pulumi.unsecret(
    pulumi.output(args).apply((a) =>
      getLatestModelBlob(a as GetLatestModelBlobArgs).catch((err: Error) => {
        throw new pulumi.RunError(err.message);
      }),
    ),
  );
}
