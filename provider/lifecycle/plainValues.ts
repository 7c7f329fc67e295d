/**
 * What a lifecycle hands the engine must be a plain protobuf Struct: the nodejs dynamic-provider server converts
 * results with `Struct.fromJavaScript`, which throws "Unexpected struct type." at an `undefined` anywhere inside
 * (issue 18: a gate verdict over a baseline without metrics carried `old: undefined` in a nested check, so the
 * update's PATCH and audit line happened and then the engine kept the old state). Every result and every recorded
 * failure state passes through `plainValues` on the way out (credentials.ts wraps every lifecycle).
 */

/** A deep copy without `undefined`: dropped from objects, `null` in arrays (positions keep their meaning). */
export function plainValues<T>(value: T): T {
  return clean(value) as T;
}

function clean(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : clean(x)));
  if (v === null || typeof v !== "object") return v;
  // Only plain records are walked: anything else (Buffer, Date) is left for the engine's own conversion.
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = clean(x);
  return out;
}

const CARRIES_PROPERTIES = ["outs", "props", "inputs"] as const;

/** A lifecycle method's result with its property bags made plain; other fields (diff's lists) pass as they are. */
export function plainResult(result: unknown): unknown {
  if (!result || typeof result !== "object") return result;
  const out: Record<string, unknown> = { ...(result as Record<string, unknown>) };
  for (const key of CARRIES_PROPERTIES) if (out[key] !== undefined) out[key] = plainValues(out[key]);
  return out;
}

/** An init failure (errors.ts `initFailure`) records `properties` as the resource's state: made plain too. */
export function plainFailure(err: unknown): unknown {
  if (err && typeof err === "object" && "properties" in err && (err as { properties?: unknown }).properties) {
    (err as { properties: unknown }).properties = plainValues((err as { properties: unknown }).properties);
  }
  return err;
}
