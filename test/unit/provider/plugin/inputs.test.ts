/** Construct inputs opened into the shapes the components take (provider/plugin/inputs.ts, issue 20). */
import * as pulumi from "@pulumi/pulumi";
import { liftInput, liftInputs, plainNumber } from "../../../../provider/plugin/inputs";

type Internals = { promise(withUnknowns?: boolean): Promise<unknown>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };
/** An Output as the provider server makes one: value (unknowns left in), secrecy. */
const wireOutput = (value: unknown, isSecret = false) =>
  new (pulumi.Output as unknown as new (...a: unknown[]) => pulumi.Output<unknown>)([], Promise.resolve(value), Promise.resolve(true), Promise.resolve(isSecret), Promise.resolve([]));
const facts = async (o: unknown) => {
  const i = o as Internals;
  return { known: await i.isKnown, secret: await i.isSecret, value: await i.promise() };
};

test("an Output of a list of targets opens into a plain array; each leaf keeps its secrecy, and an unknown part stays unknown alone", async () => {
  const targets = wireOutput([{ key: "a", classicEndpoint: pulumi.unknown }, { key: "b", classicEndpoint: { workspaceId: "w", endpointName: "e" } }], true);
  const lifted = (await liftInput(targets)) as Array<Record<string, unknown>>;
  expect(Array.isArray(lifted)).toBe(true);
  expect(lifted).toHaveLength(2);
  expect(await facts(lifted[0].key)).toEqual({ known: true, secret: true, value: "a" });
  expect(await facts(lifted[0].classicEndpoint)).toEqual({ known: false, secret: true, value: undefined });
  const endpoint = lifted[1].classicEndpoint as Record<string, unknown>;
  expect(await facts(endpoint.workspaceId)).toEqual({ known: true, secret: true, value: "w" });
});

test("plain inputs stay plain; undefined and null inputs are left out", async () => {
  expect(await liftInputs({ outputContainer: "models", canary: 1, dataset: { container: "training", path: "p.csv" }, waveSize: undefined, model: null })).toEqual({
    outputContainer: "models",
    canary: 1,
    dataset: { container: "training", path: "p.csv" },
  });
});

test("a wholly unknown input stays the Output it was", async () => {
  const unknown = wireOutput(pulumi.unknown);
  expect(await liftInput(unknown)).toBe(unknown);
});

test("plainNumber: a number, an Output's known number, or undefined when unknown or not a number", async () => {
  expect(await plainNumber(3)).toBe(3);
  expect(await plainNumber(wireOutput(2, true))).toBe(2);
  expect(await plainNumber(wireOutput(pulumi.unknown))).toBeUndefined();
  expect(await plainNumber("3")).toBeUndefined();
});
