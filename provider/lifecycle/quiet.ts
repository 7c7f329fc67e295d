/**
 * Quieter `pulumi preview --diff` (issue 10). The CLI prints every input of a dynamic resource on a create and
 * every unchanged input beside the changes on an update (the nodejs dynamic-provider server forwards no changed
 * keys), but it never prints keys that start with `__`. So the inputs `check` records keep bookkeeping under such
 * keys, and long nested values that are not what a reviewer approves as a one-line digest:
 *
 * - `resourceName` and `targetKind` (set by the resource classes, never written by a user) become `__name` and
 *   `__targetKind`; a binding's `previousModel`, `heldModel` and `heldReason` (recorded by its check) get `__`;
 * - `verification.sampleRow` is shown as `"14 columns, sha256 1a2b3c4d"` and kept whole in `__sampleRow`;
 *   `verification.samples` as `"3 samples, sha256 …"`, kept whole in `__samples`;
 * - a RolloutWave's `targets` as `"250 targets, sha256 …"`, kept whole in `__targets` (issue 17: a 1,000-target
 *   rollout reprinted every unchanged target of every wave, 618 KB; now one line per wave, and the model line
 *   old → new says what moves). A list still holding unknowns is left as it is.
 *
 * Implementations never see the wire form: every argument is translated back before a lifecycle method runs, and
 * only the inputs it returns (check, read) are translated. Outputs keep their plain names (they are declared
 * outputs of the classes). Secret inputs are never renamed: the engine re-marks secrets by key.
 */
import { createHash } from "crypto";
import { isKnown, stableJson } from "../validation";

const RENAMED: ReadonlyArray<[plain: string, wire: string]> = [
  ["resourceName", "__name"],
  ["targetKind", "__targetKind"],
  // TrainedModelBinding's check records these (issue 9); `model` old → new already shows what they repeat.
  ["previousModel", "__previousModel"],
  ["heldModel", "__heldModel"],
  ["heldReason", "__heldReason"],
];

type Props = Record<string, unknown>;

/** `"14 columns, sha256 1a2b3c4d"`: changes whenever the row does, in one line. */
export function sampleRowDigest(row: Props): string {
  return digest(Object.keys(row).length, "column", row);
}

function digest(n: number, unit: string, value: unknown): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}, sha256 ${createHash("sha256").update(stableJson(value)).digest("hex").slice(0, 8)}`;
}

/** Fields of `verification` shown as a digest, the whole value kept under a `__` key. */
const DIGESTED: ReadonlyArray<{ field: string; wire: string; show(v: unknown): string | undefined }> = [
  { field: "sampleRow", wire: "__sampleRow", show: (v) => (isPlainObject(v) ? sampleRowDigest(v) : undefined) },
  { field: "samples", wire: "__samples", show: (v) => (Array.isArray(v) && v.length > 0 ? digest(v.length, "sample", v) : undefined) },
];

/** Top-level inputs shown as a digest, the whole value kept under a `__` key. */
const TOP_DIGESTED: ReadonlyArray<{ field: string; wire: string; show(v: unknown): string | undefined }> = [
  { field: "targets", wire: "__targets", show: (v) => (Array.isArray(v) && v.length > 0 && isKnown(v) ? digest(v.length, "target", v) : undefined) },
];

function isPlainObject(v: unknown): v is Props {
  return typeof v === "object" && v !== null && !Array.isArray(v);
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
  for (const d of TOP_DIGESTED) {
    if (!(d.wire in out)) continue;
    out[d.field] = out[d.wire];
    delete out[d.wire];
  }
  for (const d of DIGESTED) {
    if (!(d.wire in out)) continue;
    if (isPlainObject(out.verification)) out.verification = { ...out.verification, [d.field]: out[d.wire] };
    delete out[d.wire];
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
  for (const d of TOP_DIGESTED) {
    const shown = d.show(out[d.field]);
    if (shown === undefined) continue;
    out[d.wire] = out[d.field];
    out[d.field] = shown;
  }
  for (const d of DIGESTED) {
    const v = out.verification;
    const shown = isPlainObject(v) ? d.show(v[d.field]) : undefined;
    if (!isPlainObject(v) || shown === undefined) continue;
    out[d.wire] = v[d.field];
    out.verification = { ...v, [d.field]: shown };
  }
  return out as T;
}

/** Translates a lifecycle method's result: only the inputs it returns are in wire form. */
export async function resultToWire(method: string, result: unknown): Promise<unknown> {
  const r = await result;
  if ((method === "check" || method === "read") && isPlainObject(r) && isPlainObject(r.inputs)) return { ...r, inputs: toWire(r.inputs) };
  return r;
}
