/**
 * getLatestModelBlob — the newest `.ilearner` under a container/prefix, with its content identity (sha256) and the
 * metrics its own manifest vouches for. Runs in the Pulumi program, not in the provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { HttpSettings } from "./transport";
import { StorageAccess, UserDelegationKey, listBlobs } from "./clients/storage";
import { provenanceOf, readModelManifest } from "./promotion/manifest";
import { readModelIdentity } from "./promotion/modelIdentity";
import { failure } from "./errors";
import { modelRefOf } from "./lifecycle/runOutputs";
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
  /** Read the manifest beside the model for its verified metrics. Default true (one extra storage read). */
  includeMetrics?: boolean;
  http?: HttpSettings;
}

export type GetLatestModelBlobInputs = { [K in keyof GetLatestModelBlobArgs]: pulumi.Input<GetLatestModelBlobArgs[K]> };

/** The storage settings a program passes (account, endpoint, key or delegation key), as an access and its secrets. */
export interface ProgramStorage {
  storageAccountName: string;
  storageBlobEndpoint?: string;
  storageAccountKey?: string;
  storageUserDelegationKey?: UserDelegationKey;
  http?: HttpSettings;
}

export function programStorageAccess(s: ProgramStorage): { access: StorageAccess; secrets: Array<string | undefined> } {
  return {
    access: { accountName: s.storageAccountName, blobEndpoint: s.storageBlobEndpoint, accountKey: s.storageAccountKey, userDelegationKey: s.storageUserDelegationKey, http: s.http },
    secrets: [s.storageAccountKey, s.storageUserDelegationKey?.value],
  };
}

/** Picks the newest `.ilearner` (last-modified, then path) from a listing. Pure. */
export function pickLatestModel<T extends { path: string; lastModified: string }>(blobs: T[]): T | undefined {
  return blobs
    .filter((b) => b.path.toLowerCase().endsWith(".ilearner"))
    .sort((a, b) => Date.parse(b.lastModified) - Date.parse(a.lastModified) || (a.path < b.path ? 1 : a.path > b.path ? -1 : 0))[0];
}

/**
 * The newest trained model under `container/prefix`: container, path, etag, last-modified, size, content MD5, the
 * SHA-256 of its bytes and, when the manifest beside it names that hash, its metrics (auc, accuracy, precision,
 * recall, f1). An `evaluation.csv` alone is not trusted (issue 16). Pass the result to TrainedModelBinding's
 * `model`, so preview shows the old → new identity.
 * Storage reads: one List Blobs (per 5000 blobs), one HEAD and one GET of the model, and one GET of the manifest.
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
  const { access, secrets } = programStorageAccess(args);
  const where = `${args.container}/${args.prefix ?? ""}`;
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
  let model: ModelBlobRef;
  try {
    // The bytes are the identity: one GET, hashed, whose etag is the one they were read at.
    const content = await readModelIdentity(access, latest.container, latest.path);
    if (!content) throw new Error(`getLatestModelBlob "${where}": ${latest.container}/${latest.path} was deleted while it was read. Run again.`);
    const manifest = args.includeMetrics === false ? undefined : await readModelManifest(access, latest.container, latest.path);
    const provenance = provenanceOf(content.sha256, manifest, `${latest.container}/${latest.path}`);
    if (provenance.malformed) throw new Error(`getLatestModelBlob "${where}": ${provenance.malformed}. Retrain the model (the run writes a valid manifest) or fix the manifest.`);
    model = modelRefOf(content, provenance.metrics);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith("getLatestModelBlob")) throw err;
    throw failure("getLatestModelBlob", where, `read ${latest.container}/${latest.path}`, err, undefined, secrets);
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
