/**
 * The `.ilearner` file: the trained model a training web service writes as its model output and a predictive web
 * service loads. (Studio classic wrote an opaque .NET serialization; the emulator's own format is below.)
 *
 * Format, version 1 — three ASCII header lines, each ending in LF, then the payload:
 *
 *     AMLEMU-ILEARNER                 magic: identifies the file as an emulator .ilearner
 *     version: 1                      format version, decimal; readers reject versions they do not list
 *     sha256: <64 lowercase hex>      SHA-256 of the payload bytes, detecting corruption and truncation
 *     <payload>                       UTF-8 JSON (ModelPayload), running to the end of the file
 *
 * The first 16 hex digits of the payload's SHA-256 are the model's id. A new version gets a new number; readers
 * keep reading every earlier one.
 */
import { createHash } from "crypto";
import * as errors from "./errors";
import { EncoderState, featureCount } from "./features";
import { LogisticWeights } from "./logisticRegression";
import { FEATURE_COLUMNS } from "./schema";

export const ILEARNER_MAGIC = "AMLEMU-ILEARNER";
export const ILEARNER_VERSION = 1;
export const SUPPORTED_ILEARNER_VERSIONS: readonly number[] = [1];
export const LOGISTIC_REGRESSION_ALGORITHM = "TwoClassLogisticRegression";
const MODEL_ID_LENGTH = 16;

export interface ModelPayload {
  algorithm: string;
  /** ISO 8601, when training finished. */
  createdAt: string;
  schema: {
    featureColumns: string[];
    labelColumn: string;
    positiveLabel: string;
    negativeLabel: string;
  };
  encoder: EncoderState;
  weights: LogisticWeights;
  training: {
    rows: number;
    l2: number;
    iterations: number;
    converged: boolean;
    /** Present when a holdout split was taken. */
    holdoutRows?: number;
    seed?: number;
  };
}

export interface DecodedIlearner {
  payload: ModelPayload;
  modelId: string;
}

export function encodeIlearner(payload: ModelPayload): Buffer {
  const body = Buffer.from(JSON.stringify(payload), "utf8");
  const header = `${ILEARNER_MAGIC}\nversion: ${ILEARNER_VERSION}\nsha256: ${sha256(body)}\n`;
  return Buffer.concat([Buffer.from(header, "ascii"), body]);
}

/** Throws IlearnerFormatError saying why the bytes are not a usable model. */
export function decodeIlearner(bytes: Buffer): DecodedIlearner {
  if (bytes.length === 0) throw errors.emptyIlearner();
  const magicLine = `${ILEARNER_MAGIC}\n`;
  if (bytes.subarray(0, magicLine.length).toString("latin1") !== magicLine) throw errors.foreignFile(ILEARNER_MAGIC);

  const [versionLine, afterVersion] = readLine(bytes, magicLine.length);
  const version = /^version: (\d+)$/.exec(versionLine ?? "");
  if (!version) throw errors.damagedHeader();
  if (!SUPPORTED_ILEARNER_VERSIONS.includes(Number(version[1]))) {
    throw errors.unsupportedVersion(Number(version[1]), SUPPORTED_ILEARNER_VERSIONS);
  }
  const [checksumLine, payloadStart] = readLine(bytes, afterVersion);
  const checksum = /^sha256: ([0-9a-f]{64})$/.exec(checksumLine ?? "");
  if (!checksum) throw errors.damagedHeader();

  const body = bytes.subarray(payloadStart);
  const actual = sha256(body);
  if (actual !== checksum[1]) throw errors.checksumMismatch(checksum[1], actual);
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw errors.badPayloadJson((error as Error).message);
  }
  return { payload: validatePayload(json), modelId: actual.slice(0, MODEL_ID_LENGTH) };
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The header line starting at `start` and the offset after its LF; no line when there is no LF. */
function readLine(bytes: Buffer, start: number): [string | undefined, number] {
  const end = bytes.indexOf(0x0a, start);
  return end < 0 ? [undefined, bytes.length] : [bytes.subarray(start, end).toString("latin1"), end + 1];
}

/** A checksum proves the bytes are intact, not that they came from this trainer; check the shape scoring relies on. */
function validatePayload(json: unknown): ModelPayload {
  const payload = json as ModelPayload;
  const expectField = (isValid: boolean, field: string): void => {
    if (!isValid) throw errors.invalidPayloadField(field);
  };
  expectField(isObject(json), "payload");
  expectField(payload.algorithm === LOGISTIC_REGRESSION_ALGORITHM, "algorithm");
  expectField(typeof payload.createdAt === "string", "createdAt");
  expectField(isObject(payload.schema), "schema");
  expectField(
    Array.isArray(payload.schema.featureColumns) &&
      payload.schema.featureColumns.join(",") === FEATURE_COLUMNS.join(","),
    "schema.featureColumns",
  );
  for (const field of ["labelColumn", "positiveLabel", "negativeLabel"] as const) {
    expectField(typeof payload.schema[field] === "string", `schema.${field}`);
  }
  expectField(isObject(payload.encoder), "encoder");
  const { numeric, categorical } = payload.encoder;
  expectField(
    Array.isArray(numeric) &&
      numeric.every((e) => FEATURE_COLUMNS.includes(e?.column) && isFiniteNumber(e.mean) && e.std > 0),
    "encoder.numeric",
  );
  expectField(
    Array.isArray(categorical) &&
      categorical.every(
        (e) => FEATURE_COLUMNS.includes(e?.column) && Array.isArray(e.categories) && e.categories.every(isString),
      ),
    "encoder.categorical",
  );
  expectField(isObject(payload.weights) && isFiniteNumber(payload.weights.intercept), "weights.intercept");
  expectField(
    Array.isArray(payload.weights.coefficients) &&
      payload.weights.coefficients.length === featureCount(payload.encoder) &&
      payload.weights.coefficients.every(isFiniteNumber),
    "weights.coefficients",
  );
  expectField(isObject(payload.training), "training");
  return payload;
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value);
}

function isString(value: unknown): boolean {
  return typeof value === "string";
}
