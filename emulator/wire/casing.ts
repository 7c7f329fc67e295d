/**
 * Input casing (contract "Casing rules"): the emulator accepts either casing on input and emits the documented one.
 * A Shape names the documented spelling of each known property; `canonicalize` renames properties matched
 * case-insensitively to that spelling, leaves unknown ones alone, and does not touch the keys of maps whose keys are
 * user names (input names, asset ids, parameter names).
 */
export type Shape = true | ShapeObject | ShapeMap | [Shape];
export interface ShapeObject {
  [property: string]: Shape;
}
export interface ShapeMap {
  $map: Shape;
}

function isMap(shape: Shape): shape is ShapeMap {
  return typeof shape === "object" && !Array.isArray(shape) && "$map" in shape;
}

const lowerCache = new WeakMap<ShapeObject, Map<string, string>>();
function lowerIndex(shape: ShapeObject): Map<string, string> {
  let index = lowerCache.get(shape);
  if (!index) {
    index = new Map(Object.keys(shape).map((k) => [k.toLowerCase(), k]));
    lowerCache.set(shape, index);
  }
  return index;
}

export function canonicalize(value: unknown, shape: Shape): unknown {
  if (shape === true || value === null || typeof value !== "object") return value;
  if (Array.isArray(shape)) return Array.isArray(value) ? value.map((v) => canonicalize(v, shape[0])) : value;
  if (Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  if (isMap(shape)) {
    for (const [k, v] of Object.entries(value)) out[k] = canonicalize(v, shape.$map);
    return out;
  }
  const index = lowerIndex(shape);
  for (const [k, v] of Object.entries(value)) {
    const canonical = index.get(k.toLowerCase());
    out[canonical ?? k] = canonical ? canonicalize(v, shape[canonical]) : v;
  }
  return out;
}

/** A Fastify preValidation hook that canonicalizes the body before schema validation. */
export function canonicalBody(shape: Shape) {
  return async (request: { body: unknown }): Promise<void> => {
    request.body = canonicalize(request.body, shape);
  };
}
