/** Batch Execution Service v2.0 (contract §2), PascalCase. */
import { Shape } from "./casing";

/** Connection-string form or SAS form (contract §2.2). */
export interface AzureBlobDataReference {
  ConnectionString?: string | null;
  RelativeLocation?: string;
  BaseLocation?: string | null;
  SasBlobToken?: string | null;
}

export interface BatchExecutionRequest {
  Input?: AzureBlobDataReference;
  Inputs?: Record<string, AzureBlobDataReference>;
  Outputs?: Record<string, AzureBlobDataReference>;
  GlobalParameters?: Record<string, string | number | boolean>;
}

export type BatchStatusCode = "NotStarted" | "Running" | "Failed" | "Cancelled" | "Finished";

export interface BatchResult {
  ConnectionString: null;
  RelativeLocation: string;
  BaseLocation: string;
  SasBlobToken: string;
}

export interface BatchExecutionStatus {
  StatusCode: BatchStatusCode;
  Results: Record<string, BatchResult> | null;
  Details: string | null;
}

const REFERENCE_SHAPE: Shape = { ConnectionString: true, RelativeLocation: true, BaseLocation: true, SasBlobToken: true };
export const BATCH_REQUEST_SHAPE: Shape = {
  Input: REFERENCE_SHAPE,
  Inputs: { $map: REFERENCE_SHAPE },
  Outputs: { $map: REFERENCE_SHAPE },
  GlobalParameters: true,
};

const reference = {
  type: "object",
  properties: {
    ConnectionString: { type: ["string", "null"] },
    RelativeLocation: { type: "string" },
    BaseLocation: { type: ["string", "null"] },
    SasBlobToken: { type: ["string", "null"] },
  },
};

export const BATCH_REQUEST_SCHEMA = {
  type: "object",
  properties: {
    Input: reference,
    Inputs: { type: "object", additionalProperties: reference },
    Outputs: { type: ["object", "null"], additionalProperties: reference },
    GlobalParameters: { type: ["object", "null"], additionalProperties: { type: ["string", "number", "boolean"] } },
  },
} as const;

export const API_VERSION_QUERY = {
  type: "object",
  properties: { "api-version": { type: "string" }, details: { type: "string" }, format: { type: "string" } },
} as const;

export const BES_API_VERSION = "2.0";
