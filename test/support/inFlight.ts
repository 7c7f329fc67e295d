/**
 * Work a test started that must be over before the next test begins (issue 19). When jest times a test out it moves
 * on while the test's promise keeps running: a stack it was updating would go on writing to the emulator (a late
 * DELETE counted in the next test's preview, an ownership claim left on a shared target). Work started through
 * `track` is told it was abandoned and awaited by `settleInFlight`, which test/support/settle.ts runs after every
 * test and after every file.
 */
interface Tracked {
  isAbandoned: boolean;
  done: Promise<unknown>;
}

const inFlight = new Set<Tracked>();

/** Runs `work`, registered until it ends; `isAbandoned()` turns true once the test it belongs to has ended. */
export function track<T>(work: (isAbandoned: () => boolean) => Promise<T>): Promise<T> {
  const entry: Tracked = { isAbandoned: false, done: Promise.resolve() };
  const promise = work(() => entry.isAbandoned);
  entry.done = promise.catch(() => undefined).finally(() => inFlight.delete(entry));
  inFlight.add(entry);
  return promise;
}

/** Marks everything still running as abandoned and waits until it has ended (its own cleanup included). */
export async function settleInFlight(): Promise<void> {
  const pending = [...inFlight];
  for (const entry of pending) entry.isAbandoned = true;
  await Promise.all(pending.map((entry) => entry.done));
}

/** The error a tracked piece of work throws when it is asked to start something after its test ended. */
export class AbandonedTestError extends Error {
  constructor(what: string) {
    super(`the test ended (it failed or timed out) before ${what}: not starting it, so nothing outlives the test`);
    this.name = "AbandonedTestError";
  }
}
