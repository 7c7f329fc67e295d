/**
 * A wave that failed after the service kept a write (issue 18): a target whose verification failed and whose
 * rollback write was refused, or a moved target whose restore failed, serves the new model while the engine would
 * keep the wave's old state, and the next up would write nothing. So the failure reads back what every pending
 * target serves and, when any serves other bytes than before, the error carries the wave's state with those targets
 * recorded as they are, `verifiedBy: "failed"` (keptWrite.ts does the same for a binding): the next up sees them
 * pending and binds the declared model. The error names what serves.
 */
import { initFailure } from "../errors";
import { sameBytes } from "../promotion/immutableCopy";
import { relativeOf } from "../targets/target";
import { ModelBlobRef, withoutUndefined } from "../validation";
import type { RolloutWaveInputs, RolloutWaveState, WaveBound } from "./rolloutWaveTypes";

/** A model as a wave records it: its identity only. */
export const identityOf = (m: Pick<ModelBlobRef, "container" | "path" | "etag" | "sha256"> | undefined) => (m ? withoutUndefined({ container: m.container, path: m.path, etag: m.etag, sha256: m.sha256 }) : undefined);
const NOTHING = { container: "", path: "", etag: "" };

export interface WaveFailure {
  /** The wave's resource id, its keys in order, and the keys this up tried to bind. */
  id: string;
  keys: string[];
  pending: string[];
  /** What each pending target served before the wave, and the wave's earlier records. */
  previous: Map<string, ModelBlobRef | undefined>;
  kept: WaveBound[];
  /** What each pending target serves now; undefined when that could not be read. */
  served: Map<string, ModelBlobRef | undefined> | undefined;
}

/** The wave's error: plain when every target serves what it served before, else carrying the state to record. */
export function waveFailure(w: RolloutWaveInputs, message: string, f: WaveFailure): Error {
  const recorded = (k: string) => f.kept.find((b) => b.key === k);
  const before = (k: string) => f.previous.get(k) ?? recorded(k)?.model;
  // Unreadable counts as changed: the next up must look again rather than trust the old record.
  const changed = f.pending.filter((k) => {
    const now = f.served?.get(k);
    const was = before(k);
    return !f.served || (now && was ? !sameBytes(now, was) : !!now !== !!was);
  });
  if (changed.length === 0) return new Error(message);
  const boundAt = new Date().toISOString();
  const bound: WaveBound[] = f.keys.map((k) => {
    if (!changed.includes(k) && recorded(k)) return recorded(k)!;
    const model = identityOf(f.served?.get(k) ?? before(k)) ?? NOTHING;
    return withoutUndefined({ key: k, previousModel: identityOf(recorded(k)?.model ?? before(k)), model, verifiedBy: "failed", boundAt });
  });
  const serving = changed.map((k) => `  ${k} serves ${f.served ? (f.served.get(k) ? relativeOf(f.served.get(k)!) : "nothing") : "an unknown model (the read back failed)"}`);
  const text = `${message.replace(/\s*$/, "")}\nNot on their previous model, recorded so in the wave's state (unverified, so the next up binds the declared model again):\n${serving.join("\n")}`;
  return initFailure(new Error(text), f.id, withoutUndefined({ ...w, bound }) as RolloutWaveState);
}
