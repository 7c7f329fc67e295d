import { createHash } from "crypto";
import { IlearnerFormatError } from "../../../../emulator/ml/errors";
import { ModelPayload, decodeIlearner, encodeIlearner } from "../../../../emulator/ml/ilearner";

const PAYLOAD: ModelPayload = {
  algorithm: "TwoClassLogisticRegression",
  createdAt: "2024-08-31T00:00:00.000Z",
  schema: {
    featureColumns: [
      "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation", "relationship",
      "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country",
    ],
    labelColumn: "income",
    positiveLabel: ">50K",
    negativeLabel: "<=50K",
  },
  encoder: {
    numeric: [{ column: "age", mean: 38.5, std: 13.6 }],
    categorical: [{ column: "sex", categories: ["Female", "Male"] }],
  },
  weights: { intercept: -1.25, coefficients: [0.5, -0.1, 0.1] },
  training: { rows: 100, l2: 1, iterations: 6, converged: true },
};

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
/** A file with a correct checksum over any payload text. */
const withPayload = (payload: string, version = 1) =>
  Buffer.from(`AMLEMU-ILEARNER\nversion: ${version}\nsha256: ${sha256(payload)}\n${payload}`);
const CORRUPT = "It was changed or truncated after training; re-upload the original or retrain.";
const NOT_OURS = "It was not written by this service's trainer; retrain to produce a new one.";

describe(".ilearner format", () => {
  it("writes the documented header followed by the JSON payload", () => {
    const json = JSON.stringify(PAYLOAD);
    expect(encodeIlearner(PAYLOAD).toString("utf8")).toBe(`AMLEMU-ILEARNER\nversion: 1\nsha256: ${sha256(json)}\n${json}`);
  });

  it("round-trips the payload, with the model id taken from the payload's SHA-256", () => {
    expect(decodeIlearner(encodeIlearner(PAYLOAD))).toEqual({
      payload: PAYLOAD,
      modelId: sha256(JSON.stringify(PAYLOAD)).slice(0, 16),
    });
  });

  const good = encodeIlearner(PAYLOAD);
  const json = JSON.stringify(PAYLOAD);
  const tampered = Buffer.from(good);
  tampered[tampered.length - 5] ^= 0x01;
  const withField = (patch: (payload: ModelPayload) => void) => {
    const payload: ModelPayload = JSON.parse(json);
    patch(payload);
    return withPayload(JSON.stringify(payload));
  };

  it.each([
    [
      "an empty blob",
      Buffer.alloc(0),
      "The model blob is empty (0 bytes), so it holds no trained model. Use the .ilearner output of a training run.",
    ],
    [
      "a CSV dataset",
      Buffer.from("age,workclass\n39,State-gov\n"),
      "The model blob is not an .ilearner produced by a training web service: it does not start with 'AMLEMU-ILEARNER'. Use the trained-model (.ilearner) output of a training run, not its dataset or evaluation output.",
    ],
    [
      "a zip file (another tool's model)",
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]),
      "The model blob is not an .ilearner produced by a training web service: it does not start with 'AMLEMU-ILEARNER'. Use the trained-model (.ilearner) output of a training run, not its dataset or evaluation output.",
    ],
    [
      "the magic alone",
      Buffer.from("AMLEMU-ILEARNER\n"),
      "The .ilearner header is damaged: expected 'version: <n>' and 'sha256: <64 hex digits>' lines after the magic. The file is corrupt; retrain to produce a new one.",
    ],
    [
      "an unreadable version line",
      Buffer.from(good.toString("latin1").replace("version: 1", "version: one"), "latin1"),
      "The .ilearner header is damaged: expected 'version: <n>' and 'sha256: <64 hex digits>' lines after the magic. The file is corrupt; retrain to produce a new one.",
    ],
    [
      "a missing checksum line",
      Buffer.from(`AMLEMU-ILEARNER\nversion: 1\n${json}`),
      "The .ilearner header is damaged: expected 'version: <n>' and 'sha256: <64 hex digits>' lines after the magic. The file is corrupt; retrain to produce a new one.",
    ],
    [
      "a newer format version",
      withPayload(json, 2),
      "The .ilearner uses format version 2, which this service cannot read (supported: 1). Retrain with this service to produce a compatible model.",
    ],
    [
      "a changed payload byte",
      tampered,
      `The .ilearner is corrupt: its payload has SHA-256 ${createHash("sha256").update(tampered.subarray(good.length - json.length)).digest("hex")} but its header records ${sha256(json)}. ${CORRUPT}`,
    ],
    [
      "a truncated file",
      good.subarray(0, good.length - 10),
      `The .ilearner is corrupt: its payload has SHA-256 ${sha256(json.slice(0, -10))} but its header records ${sha256(json)}. ${CORRUPT}`,
    ],
    [
      "a payload that is not JSON",
      withPayload("{weights:"),
      `The .ilearner payload is not valid JSON (${jsonError("{weights:")}). The file is corrupt; retrain to produce a new one.`,
    ],
    ["a JSON array payload", withPayload("[]"), `The .ilearner payload has no valid 'payload'. ${NOT_OURS}`],
    [
      "another algorithm",
      withField((p) => (p.algorithm = "TwoClassBoostedDecisionTree")),
      `The .ilearner payload has no valid 'algorithm'. ${NOT_OURS}`,
    ],
    [
      "other feature columns",
      withField((p) => p.schema.featureColumns.pop()),
      `The .ilearner payload has no valid 'schema.featureColumns'. ${NOT_OURS}`,
    ],
    [
      "a zero standard deviation",
      withField((p) => (p.encoder.numeric[0].std = 0)),
      `The .ilearner payload has no valid 'encoder.numeric'. ${NOT_OURS}`,
    ],
    [
      "an encoder column outside the schema",
      withField((p) => (p.encoder.categorical[0].column = "colour")),
      `The .ilearner payload has no valid 'encoder.categorical'. ${NOT_OURS}`,
    ],
    [
      "coefficients not matching the encoder",
      withField((p) => p.weights.coefficients.push(1)),
      `The .ilearner payload has no valid 'weights.coefficients'. ${NOT_OURS}`,
    ],
    [
      "no training metadata",
      withField((p) => delete (p as Partial<ModelPayload>).training),
      `The .ilearner payload has no valid 'training'. ${NOT_OURS}`,
    ],
  ])("rejects %s", (_name, bytes, message) => {
    expect(() => decodeIlearner(bytes)).toThrow(new IlearnerFormatError(message));
  });

  it("throws IlearnerFormatError instances", () => {
    expect(() => decodeIlearner(Buffer.alloc(0))).toThrow(IlearnerFormatError);
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected invalid JSON");
}
