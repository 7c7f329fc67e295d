/**
 * Recorded inputs in their quieter wire form (lifecycle/quiet.ts): bookkeeping under `__` keys, which the CLI never
 * prints, the probe row as a one-line digest; implementations see the plain form, outputs keep their names.
 */
import { withCredentials } from "../../../provider/lifecycle/credentials";
import { fromWire, sampleRowDigest, toWire } from "../../../provider/lifecycle/quiet";

const row = { age: 45, workclass: "Private", education: "Masters" };
const plain = { resourceName: "b1", targetKind: "classic", endpointKey: "secret-key", verification: { sampleRow: row, timeoutSeconds: 60 } };

test("check's inputs go to the engine with __name, __targetKind and the sample row digested; secrets keep their keys", () => {
  const wire = toWire(plain) as Record<string, unknown>;
  expect(wire).toEqual({
    __name: "b1",
    __targetKind: "classic",
    endpointKey: "secret-key",
    verification: { sampleRow: sampleRowDigest(row), timeoutSeconds: 60 },
    __sampleRow: row,
  });
  expect(sampleRowDigest(row)).toMatch(/^3 columns, sha256 [0-9a-f]{8}$/);
  expect(sampleRowDigest({ ...row, age: 46 })).not.toBe(sampleRowDigest(row));
  expect(fromWire(wire)).toEqual(plain);
  const samples = [{ row, expectLabel: ">50K" }, { row, probabilityBetween: [0, 0.5] }];
  const withSamples = { ...plain, verification: { ...plain.verification, samples } };
  expect((toWire(withSamples) as { verification: { samples: unknown } }).verification.samples).toMatch(/^2 samples, sha256 [0-9a-f]{8}$/);
  expect(fromWire(toWire(withSamples))).toEqual(withSamples);
  // State written before the wire form reads as it is.
  expect(fromWire(plain)).toEqual(plain);
});

test("the wrapped lifecycle sees plain inputs and returns wire inputs from check and read, plain outputs from create", async () => {
  const seen: unknown[] = [];
  const p = withCredentials({
    async check(_olds: unknown, news: unknown) {
      seen.push(news);
      return { inputs: news as Record<string, unknown> };
    },
    async create(inputs: unknown) {
      seen.push(inputs);
      return { id: "x", outs: inputs as Record<string, unknown> };
    },
    async read(id: string, props: unknown) {
      return { id, props: props as Record<string, unknown>, inputs: props as Record<string, unknown> };
    },
  });
  const checked = await p.check!({}, plain);
  expect(checked.inputs).toMatchObject({ __name: "b1", __targetKind: "classic", verification: { sampleRow: sampleRowDigest(row) } });
  const created = await p.create(checked.inputs);
  expect(seen).toEqual([plain, plain]);
  expect(created.outs).toEqual(plain);
  const read = await p.read!("x", created.outs);
  expect(read.props).toEqual(plain);
  expect(read.inputs).toMatchObject({ __name: "b1", __sampleRow: row });
});

test("a wave's targets go to the engine as one line and come back whole; a list with unknowns is left as it is", () => {
  const targets = [{ key: "classic/a", kind: "classic" }, { key: "arm/b", kind: "arm" }];
  const wire = toWire({ resourceName: "w", targets }) as Record<string, unknown>;
  expect(wire.targets).toMatch(/^2 targets, sha256 [0-9a-f]{8}$/);
  expect(wire.__targets).toEqual(targets);
  expect(fromWire(wire)).toEqual({ resourceName: "w", targets });
  const pending = [{ key: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }];
  expect(toWire({ targets: pending })).toEqual({ targets: pending });
});
