/**
 * Binding trained models to endpoints: read the blob once, check it is an .ilearner, copy it into the model
 * repository, and decide which model serves a request (a new binding takes over after modelSwapDelayMs).
 */
import { createHash } from "crypto";
import type { BlockBlobClient } from "@azure/storage-blob";
import { readBlob } from "./blobs";
import { loadModel, TrainedModel } from "./ml";
import type { BoundModel, ModelBinding, ModelRepository } from "./store";

export class ModelReadError extends Error {
  override name = "ModelReadError";
  constructor(readonly cause: unknown) {
    super("model blob unreadable");
  }
}

export class ModelFormatError extends Error {
  override name = "ModelFormatError";
}

/**
 * Reads and validates a model blob and keeps a copy. Throws ModelReadError when storage refuses, ModelFormatError
 * (with the ML core's message) when the bytes are not a trained model.
 */
export async function copyModel(client: BlockBlobClient, location: string, repository: ModelRepository, now = new Date()): Promise<BoundModel> {
  let content;
  try {
    content = await readBlob(client);
  } catch (err) {
    throw new ModelReadError(err);
  }
  let model: TrainedModel;
  try {
    model = loadModel(content.bytes);
  } catch (err) {
    throw new ModelFormatError((err as Error).message);
  }
  const hash = createHash("sha256").update(content.bytes).digest("hex");
  repository.put(hash, content.bytes);
  return { hash, location, etag: content.etag, modelId: model.modelId, boundAt: now.toISOString() };
}

/** A binding replacing `current`: the old model keeps serving for `swapDelayMs`. */
export function rebind(current: ModelBinding | undefined, model: BoundModel, swapDelayMs: number, nowMs = Date.now()): ModelBinding {
  if (swapDelayMs <= 0 || !current) return { model };
  return { model, previous: servingModel(current, nowMs), activeFromMs: nowMs + swapDelayMs };
}

export function servingModel(binding: ModelBinding, nowMs = Date.now()): BoundModel {
  return binding.previous && binding.activeFromMs !== undefined && nowMs < binding.activeFromMs ? binding.previous : binding.model;
}
