/**
 * No `undefined` reaches the engine (issue 18): every lifecycle result and recorded failure state is converted the
 * way the dynamic-provider server converts it (`Struct.fromJavaScript`), which throws at a nested `undefined`.
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { withCredentials } from "../../../provider/lifecycle/credentials";
import { plainValues } from "../../../provider/lifecycle/plainValues";
import { initFailure } from "../../../provider/errors";
import { evaluateGate } from "../../../provider/promotion/gate";

beforeEach(() => jest.spyOn(console, "error").mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());

const toEngine = (v: unknown) => Struct.fromJavaScript(v as Record<string, never>);
const model = { container: "models", path: "m/v2/model.ilearner", etag: "0x2", lastModified: "2026-01-01T00:00:00Z", size: 10, metrics: { auc: 0.9, accuracy: undefined } };
// A minimum gate over a baseline whose evaluation is missing. The gate now leaves `old` out (issue 16); the verdict
// below puts back the `old: undefined` it once carried, the shape that made every such up fail after its write.
const evaluated = evaluateGate({ minimum: { auc: 0.5 }, maxDrop: { accuracy: 0.01 } }, undefined, { auc: 0.9 } as never);
const verdict = { ...evaluated, checks: evaluated.checks.map((c) => ({ ...c, old: undefined })) };

/** One output per lifecycle, each with undefined where its optional fields can be. */
const SHAPES: Record<string, Record<string, unknown>> = {
  TrainedModelBinding: { model, previousModel: undefined, gateVerdict: verdict, history: [{ ...model, boundAt: "t", metrics: undefined }], verification: { sampleRow: undefined, samples: [{ row: { age: 1, x: undefined }, expectLabel: undefined }] } },
  RolloutWave: { targets: [{ key: "k", kind: "classic", apiLocation: undefined }], bound: [{ key: "k", previousModel: undefined, model, verifiedBy: "read-back" }, undefined], gateVerdict: verdict },
  ScoringEndpoint: { endpointName: "ep", resources: [{ name: "r", location: undefined }], description: undefined },
  RetrainingRun: { jobId: "j", model, evaluation: { container: "c", path: undefined }, metrics: { auc: undefined } },
  PipelineRun: { runId: "r", model: undefined, parameterAssignments: { a: undefined } },
  TrainingService: { apiLocation: "x", outputs: [undefined, "output1"], validatedAt: undefined },
};

test("the bug's shape: a gate verdict over a baseline without metrics holds an undefined the engine refuses", () => {
  expect(evaluated.checks[0]).not.toHaveProperty("old");
  expect(verdict.checks[0]).toHaveProperty("old", undefined);
  expect(() => toEngine({ gateVerdict: verdict })).toThrow("Unexpected struct type");
  expect(() => toEngine(plainValues({ gateVerdict: verdict }))).not.toThrow();
  expect(plainValues({ gateVerdict: verdict }).gateVerdict.checks[0]).toEqual({ metric: "auc", rule: ">= 0.5", new: 0.9, passed: true });
});

test("plainValues drops undefined keys at every depth, keeps array positions as null, and changes nothing else", () => {
  expect(plainValues({ a: 1, b: undefined, c: { d: [1, undefined, { e: undefined, f: null }] }, g: "" })).toEqual({ a: 1, c: { d: [1, null, { f: null }] }, g: "" });
  const input = { a: { b: undefined } };
  plainValues(input);
  expect(input).toEqual({ a: { b: undefined } });
});

test.each(Object.entries(SHAPES))("every result of a wrapped %s lifecycle reaches the engine as a plain struct", async (_name, shape) => {
  const id = "id-1";
  const wrapped = withCredentials<unknown, unknown>({
    check: async () => ({ inputs: shape, failures: [] }),
    create: async () => ({ id, outs: shape }),
    update: async () => ({ outs: shape }),
    read: async () => ({ id, props: shape, inputs: shape }),
  });
  const results = [await wrapped.check!({}, {}), await wrapped.create!({}), await wrapped.update!(id, {}, {}), await wrapped.read!(id, {})] as Array<Record<string, unknown>>;
  for (const r of results) for (const key of ["inputs", "outs", "props"]) if (r[key]) expect(() => toEngine(r[key])).not.toThrow();
  // A failure that records state (a write the service kept) records it plain too.
  const failing = withCredentials<unknown, unknown>({ create: async () => ({ id, outs: {} }), update: async () => { throw initFailure(new Error("verification failed"), id, shape); } });
  const err = (await failing.update!(id, {}, {}).then(() => undefined, (e: unknown) => e)) as { properties: unknown; message: string };
  expect(err.message).toBe("verification failed");
  expect(() => toEngine(err.properties)).not.toThrow();
});
