/**
 * pinnedModel — the model a binding, a rollout or RetrainAndPromote serves, taken as a pin from stack config
 * (issue 17 item 1). The pin `{ container, path, sha256 }` lives in `Pulumi.<stack>.yaml`, so the pull request
 * that changes it shows old → new in its own diff, and the merge applies exactly that pin. The model-update
 * automation (provider/automation/) writes it; a person may too (`pulumi config set --path model.sha256 …`).
 *
 * The pin's `sha256` is carried in the ModelBlobRef; the binding and the rollout promote only those bytes and
 * refuse anything else (issue 16). Runs in the Pulumi program: one HEAD of the blob and, with metrics, one GET of
 * the evaluation.csv beside it, so the preview shows the pinned model's identity and metrics.
 */
import * as pulumi from "@pulumi/pulumi";
import { getBlobIdentity } from "./clients/storage";
import { failure } from "./errors";
import { ProgramStorage, programStorageAccess } from "./latestModel";
import { InputFailure, ModelBlobRef, checkContainer } from "./validation";

/** A model pinned by content: where it is and the SHA-256 of its bytes. */
export interface ModelPin {
  container: string;
  /** Path of the `.ilearner` inside the container. */
  path: string;
  /** Lowercase hex SHA-256 of the blob's bytes. */
  sha256: string;
}

export type PinnedModelStorage = ProgramStorage;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Every problem of a pin value, each naming the field and the fix. Pure. */
export function checkModelPin(value: unknown, key: string): string[] {
  const fix = `set it with: pulumi config set --path ${key}.container <container> (and ${key}.path, ${key}.sha256), or let azureml-retrain-update write it`;
  if (!value || typeof value !== "object" || Array.isArray(value)) return [`config "${key}" must be an object { container, path, sha256 }: ${fix}`];
  const p = value as Record<string, unknown>;
  const problems: string[] = [];
  const failures: InputFailure[] = [];
  checkContainer(failures, `${key}.container`, p.container);
  problems.push(...failures.map((f) => `config "${f.property}": ${f.reason}`));
  if (typeof p.path !== "string" || !p.path.toLowerCase().endsWith(".ilearner")) problems.push(`config "${key}.path" must be the path of an .ilearner blob, got ${JSON.stringify(p.path)}`);
  if (typeof p.sha256 !== "string" || !SHA256_HEX.test(p.sha256)) problems.push(`config "${key}.sha256" must be 64 lowercase hex digits (the SHA-256 of the blob's bytes), got ${JSON.stringify(p.sha256)}`);
  return problems;
}

/**
 * The pinned blob's identity with the pin's sha256 and `pinnedFrom`. Its metrics are left to the binding's check,
 * which trusts only the manifest that names these bytes (issue 16) and puts them into the preview.
 */
export async function resolveModelPin(pin: ModelPin, storage: PinnedModelStorage, pinnedFrom: string): Promise<ModelBlobRef> {
  const { access, secrets } = programStorageAccess(storage);
  const where = `${pin.container}/${pin.path}`;
  let blob;
  try {
    blob = await getBlobIdentity(access, pin.container, pin.path);
  } catch (err) {
    throw failure("pinnedModel", where, "read the pinned blob", err, "Check storageAccountName, storageBlobEndpoint and the key", secrets);
  }
  if (!blob) throw new Error(`pinnedModel "${where}": the pinned model does not exist. Fix the pin in Pulumi.<stack>.yaml (container, path) or restore the blob.`);
  const model: ModelBlobRef = { container: blob.container, path: blob.path, etag: blob.etag, lastModified: blob.lastModified, size: blob.size, sha256: pin.sha256, pinnedFrom };
  if (blob.contentMd5) model.contentMd5 = blob.contentMd5;
  return model;
}

/**
 * The model pinned under `key` in stack config (an object `{ container, path, sha256 }`), resolved to a
 * ModelBlobRef for `model` of TrainedModelBinding, ModelRollout or RetrainAndPromote. Not secret: the pin is what
 * the review shows.
 */
export function pinnedModel(config: pulumi.Config, key: string, storage: { [K in keyof PinnedModelStorage]: pulumi.Input<PinnedModelStorage[K]> }): pulumi.Output<ModelBlobRef> {
  const value = config.getObject<unknown>(key);
  const problems = checkModelPin(value, key);
  if (problems.length > 0) throw new pulumi.RunError(`pinnedModel: ${problems.join("; ")}`);
  const pin = value as ModelPin;
  return pulumi.unsecret(
    pulumi.output(storage).apply((s) =>
      resolveModelPin({ container: pin.container, path: pin.path, sha256: pin.sha256 }, s as PinnedModelStorage, `config:${key}`).catch((err: Error) => {
        throw new pulumi.RunError(err.message);
      }),
    ),
  );
}
