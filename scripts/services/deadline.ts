/**
 * Waiting for something to start on a machine that may be busy (issue 19). A fixed 30 s failed at load 20 on two
 * cores; so a wait polls for readiness, gives up early when the thing died, and its deadline is a base time
 * stretched by the load per core seen while waiting (re-read on every poll, so a load that rises meanwhile extends
 * it), unless an environment variable fixes it.
 */
import * as os from "os";

/** 1 on an idle machine; the 1-minute load average per core when that is higher. */
export function loadFactor(): number {
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, os.loadavg()[0] / Math.max(1, cores));
}

export interface ReadinessWait {
  /** What is awaited, for the error message. */
  what: string;
  /** The deadline on an idle machine, in ms. */
  baseMs: number;
  /** An environment variable that, when set to a positive number of ms, replaces the load-scaled deadline. */
  overrideEnv: string;
  intervalMs?: number;
  /** A reason to stop waiting at once (the process exited), or undefined to go on. */
  failure?: () => string | undefined;
}

/** The deadline in effect now: the override when set, else the base scaled by the load. */
export function deadlineMs(wait: Pick<ReadinessWait, "baseMs" | "overrideEnv">): number {
  const override = Number(process.env[wait.overrideEnv]);
  return Number.isFinite(override) && override > 0 ? override : Math.round(wait.baseMs * loadFactor());
}

/** Polls `isReady` until it holds; throws when `failure` names a reason or the (load-scaled) deadline passes. */
export async function waitUntilReady(isReady: () => Promise<boolean>, wait: ReadinessWait): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (await isReady()) return;
    const failed = wait.failure?.();
    if (failed) throw new Error(`${wait.what}: ${failed}`);
    const limit = deadlineMs(wait);
    if (Date.now() - started > limit) {
      throw new Error(`${wait.what} was not ready within ${limit} ms (load ${os.loadavg()[0].toFixed(1)}; set ${wait.overrideEnv} to wait longer)`);
    }
    await new Promise((r) => setTimeout(r, wait.intervalMs ?? 100));
  }
}
