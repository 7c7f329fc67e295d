/**
 * One training run, as the "Census Model" training experiment does it (BES jobs and pipeline runs): read the input
 * dataset, train with the ML core, write the trained model (.ilearner) and the evaluation CSV.
 * Failures come back as the text a job's `Details` carries.
 */
import type { BlockBlobClient } from "@azure/storage-blob";
import { createHash } from "crypto";
import { describeStorageError, readBlob, writeBlob } from "./blobs";
import { DatasetError, trainFromCsv } from "./ml";
import type { BlobReference } from "./store";

export type TrainingOutcome = { ok: true; modelId?: string } | { ok: false; details: string };

/** A job's input dataset as text, or the `Details` a job fails with when it cannot be read (Error 0030). */
export async function readInputDataset(input: BlockBlobClient, description: string): Promise<{ ok: true; csv: string } | { ok: false; details: string }> {
  try {
    return { ok: true, csv: (await readBlob(input)).bytes.toString("utf8") };
  } catch (err) {
    return {
      ok: false,
      details: `Error 0030: Unable to download the input dataset ${description}: ${describeStorageError(err)}. Check that the blob exists and that the connection string or SAS can read it.`,
    };
  }
}

export interface TrainingRun {
  input: BlockBlobClient;
  /** How the failure detail names the input, e.g. `input1 (training/census.csv)`. */
  inputDescription: string;
  model?: BlobReference;
  evaluation?: BlobReference;
}

export async function runTraining(run: TrainingRun): Promise<TrainingOutcome> {
  const input = await readInputDataset(run.input, run.inputDescription);
  if (!input.ok) return input;
  const csv = input.csv;
  let result;
  try {
    result = trainFromCsv(csv);
  } catch (err) {
    // The ML core's message says what is wrong and where; it is passed on unchanged (emulator/ml/README.md).
    if (err instanceof DatasetError) return { ok: false, details: err.message };
    throw err;
  }
  for (const [ref, data, type] of [
    [run.model, result.model, "application/octet-stream"],
    [run.evaluation, result.evaluationCsv, "text/csv"],
  ] as const) {
    if (!ref) continue;
    try {
      await writeBlob(ref, data, type);
    } catch (err) {
      return { ok: false, details: `Error 0030: Unable to write the output ${ref.relativeLocation.replace(/^\/+/, "")}: ${describeStorageError(err)}.` };
    }
  }
  // The manifest beside the model (issue 16): the hash of the bytes just written and the evaluation computed for
  // them, so a gate can tell these metrics belong to this model. Needs more than a SAS scoped to the model blob.
  if (run.model && !run.model.sasBlobToken) {
    const manifest = { version: 1, sha256: createHash("sha256").update(result.model).digest("hex"), size: result.model.length, metrics: result.evaluation, producedBy: "emulator training", createdAt: new Date().toISOString() };
    const ref = { ...run.model, relativeLocation: `${run.model.relativeLocation.split("?")[0]}.manifest.json` };
    try {
      await writeBlob(ref, JSON.stringify(manifest), "application/json");
    } catch (err) {
      return { ok: false, details: `Error 0030: Unable to write the output ${ref.relativeLocation.replace(/^\/+/, "")}: ${describeStorageError(err)}.` };
    }
  }
  return { ok: true };
}
