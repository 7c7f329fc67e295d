/**
 * Construct inputs → the argument shapes the TypeScript components take (issue 20).
 *
 * The provider server hands `construct` each top-level input either plain or as one Output (when it is secret or
 * depends on a resource). The components need more structure than that: `targets` must be an array whose length
 * is known at preview (it decides the waves), `training` an object of inputs, `canary` a number. So an Output is
 * opened into the same shape, arrays and objects kept, every leaf an Output of its own that keeps the input's
 * secrecy and dependencies. A leaf unknown at preview stays unknown; its known neighbours stay known.
 */
import * as pulumi from "@pulumi/pulumi";

type Path = Array<string | number>;

/** Output internals: the value with unknowns left in, and `apply` that also runs over unknown values. */
interface OutputInternals {
  promise(withUnknowns?: boolean): Promise<unknown>;
  apply<U>(fn: (v: unknown) => U, runWithUnknowns?: boolean): pulumi.Output<U>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

function at(value: unknown, path: Path): unknown {
  let v = value;
  for (const key of path) {
    if (v === undefined || v === null) return undefined;
    // An unknown object stands for all its parts.
    if (pulumi.isUnknown(v)) return v;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

async function open(output: pulumi.Output<unknown>, raw: unknown, path: Path): Promise<unknown> {
  if (Array.isArray(raw)) return Promise.all(raw.map((item, k) => open(output, item, [...path, k])));
  if (isPlainObject(raw)) {
    const entries = await Promise.all(Object.entries(raw).map(async ([k, v]) => [k, await open(output, v, [...path, k])] as const));
    return Object.fromEntries(entries);
  }
  if (pulumi.Output.isInstance(raw)) return liftInput(raw);
  return (output as unknown as OutputInternals).apply((v) => at(v, path), true);
}

/** One input, plain or Output, as nested plain arrays and objects whose leaves may be Outputs. */
export async function liftInput(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const raw = await (value as unknown as OutputInternals).promise(true);
    // Only arrays and objects have a shape to open; a scalar or a wholly unknown value stays the Output it is.
    return Array.isArray(raw) || isPlainObject(raw) ? open(value, raw, []) : value;
  }
  if (Array.isArray(value)) return Promise.all(value.map(liftInput));
  if (isPlainObject(value)) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await liftInput(v)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

/** Every input lifted; keys whose value is undefined or null are left out, as a TypeScript caller omits them. */
export async function liftInputs(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (v === undefined || v === null) continue;
    out[k] = await liftInput(v);
  }
  return out;
}

/**
 * A value the component must have as a plain number at construction (canary, waveSize): the known value of an
 * Output, or undefined when it is unknown (the component then plans with its defaults and the check reports it).
 */
export async function plainNumber(value: unknown): Promise<number | undefined> {
  const v = await known(value);
  return typeof v === "number" ? v : undefined;
}

/** The value of an input, or undefined when it is an Output not known yet. */
export async function known(value: unknown): Promise<unknown> {
  return pulumi.Output.isInstance(value) ? (value as unknown as OutputInternals).promise() : value;
}
