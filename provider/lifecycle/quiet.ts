/**
 * Quieter `pulumi preview --diff` (issue 10). The CLI prints every input of a dynamic resource on a create and
 * every unchanged input beside the changes on an update (the nodejs dynamic-provider server forwards no changed
 * keys), but it never prints keys that start with `__`. So the inputs `check` records keep bookkeeping under such
 * keys, and long nested values that are not what a reviewer approves as a one-line digest:
 *
 * - `resourceName` and `targetKind` (set by the resource classes, never written by a user) become `__name` and
 *   `__targetKind`;
 * - `verification.sampleRow` is shown as `"14 columns, sha256 1a2b3c4d"` and kept whole in `__sampleRow`.
 *
 * Implementations never see the wire form: every argument is translated back before a lifecycle method runs, and
 * only the inputs it returns (check, read) are translated. Outputs keep their plain names (they are declared
 * outputs of the classes). Secret inputs are never renamed: the engine re-marks secrets by key.
 */
import { createHash } from "crypto";
import { stableJson } from "../validation";

const RENAMED: ReadonlyArray<[plain: string, wire: string]> = [
  ["resourceName", "__name"],
  ["targetKind", "__targetKind"],
];
const SAMPLE_ROW = "__sampleRow";

type Props = Record<string, unknown>;

function isPlainObject(v: unknown): v is Props {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `"14 columns, sha256 1a2b3c4d"`: changes whenever the row does, in one line. */
export function sampleRowDigest(row: Props): string {
  const n = Object.keys(row).length;
  return `${n} ${n === 1 ? "column" : "columns"}, sha256 ${createHash("sha256").update(stableJson(row)).digest("hex").slice(0, 8)}`;
}

/** Inputs as the lifecycle implementations know them. */
export function fromWire<T>(props: T): T {
  if (!isPlainObject(props)) return props;
  const out: Props = { ...props };
  for (const [plain, wire] of RENAMED) {
    if (wire in out) {
      if (!(plain in out)) out[plain] = out[wire];
      delete out[wire];
    }
  }
  if (SAMPLE_ROW in out) {
    if (isPlainObject(out.verification)) out.verification = { ...out.verification, sampleRow: out[SAMPLE_ROW] };
    delete out[SAMPLE_ROW];
  }
  return out as T;
}

/** Inputs as `check` and `read` record them for the engine (and so for the CLI's diff). */
export function toWire<T>(props: T): T {
  if (!isPlainObject(props)) return props;
  const out: Props = { ...props };
  for (const [plain, wire] of RENAMED) {
    if (plain in out) {
      out[wire] = out[plain];
      delete out[plain];
    }
  }
  const v = out.verification;
  if (isPlainObject(v) && isPlainObject(v.sampleRow)) {
    out[SAMPLE_ROW] = v.sampleRow;
    out.verification = { ...v, sampleRow: sampleRowDigest(v.sampleRow) };
  }
  return out as T;
}

/** Translates a lifecycle method's result: only the inputs it returns are in wire form. */
export async function resultToWire(method: string, result: unknown): Promise<unknown> {
  const r = await result;
  if ((method === "check" || method === "read") && isPlainObject(r) && isPlainObject(r.inputs)) return { ...r, inputs: toWire(r.inputs) };
  return r;
}
