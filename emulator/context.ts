/** What every route plugin shares: options, stores, the emulator's own storage, URLs and background timers. */
import type { EmulatorOptions, Surface } from "./config";
import type { Stores } from "./store";
import type { AuthCheck } from "./auth";

export interface EmulatorStorage {
  connectionString: string;
  /** Without a trailing slash, e.g. `http://127.0.0.1:10000/devstoreaccount1`. */
  blobEndpoint: string;
  accountName: string;
  accountKey: string;
}

/** Containers the emulator seeds and writes its own outputs to (docs/interfaces.md, manifest `containers`). */
export const CONTAINERS = { training: "training", models: "models", experimentOutput: "experimentoutput" } as const;

/** Background work (job runs, ARM provisioning) that must stop when the emulator closes. */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;

  after(ms: number, fn: () => void | Promise<void>): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) this.track(Promise.resolve().then(fn));
    }, ms);
    this.timers.add(timer);
  }

  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.catch(() => undefined);
    this.running.add(settled);
    void settled.finally(() => this.running.delete(settled));
    return work;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Cancels pending timers and waits for work already running. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([...this.running]);
  }
}

export class RequestCounter {
  private counts = new Map<string, number>();

  add(surface: Surface, method: string): void {
    const key = `${surface} ${method}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** `{ management: { GET: 3, PATCH: 1 }, rrs: { POST: 10 } }` */
  snapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [key, n] of this.counts) {
      const [surface, method] = key.split(" ");
      (out[surface] ??= {})[method] = n;
    }
    return out;
  }

  reset(): void {
    this.counts = new Map();
  }
}

export interface EmulatorContext {
  options: EmulatorOptions;
  stores: Stores;
  storage: EmulatorStorage;
  authChecks: AuthCheck[];
  scheduler: Scheduler;
  counter: RequestCounter;
  /** `http://127.0.0.1:{port}`; set once the listener is bound. */
  baseUrl: string;
}

export function managementBaseUrl(ctx: EmulatorContext, region: string): string {
  return `${ctx.baseUrl}/management/${region}`;
}

export function classicApiLocation(ctx: EmulatorContext, region: string, workspaceId: string, endpointId: string): string {
  return `${ctx.baseUrl}/services/${region}/workspaces/${workspaceId}/services/${endpointId}`;
}

export function armApiLocation(ctx: EmulatorContext, region: string, subscriptionId: string, serviceId: string): string {
  return `${ctx.baseUrl}/services/${region}/subscriptions/${subscriptionId.replace(/-/g, "").toLowerCase()}/services/${serviceId}`;
}
