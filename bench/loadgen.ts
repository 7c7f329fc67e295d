/**
 * RRS load generator, run as its own process by bench/scoring.ts so the client's work does not share the emulator's
 * event loop. Reads its settings from LOADGEN (JSON), sends `warmup` then `total` POSTs over `concurrency` keep-alive
 * connections to a loopback URL, and prints one JSON line: latency percentiles (ms), requests/s and status counts.
 */
import * as http from "http";
import { performance } from "perf_hooks";

interface Settings {
  url: string;
  key: string;
  body: string;
  total: number;
  warmup: number;
  concurrency: number;
}

const settings = JSON.parse(process.env.LOADGEN ?? "{}") as Settings;
const target = new URL(settings.url);
if (target.hostname !== "127.0.0.1" && target.hostname !== "localhost") throw new Error("loadgen: loopback URLs only");
const agent = new http.Agent({ keepAlive: true, maxSockets: settings.concurrency });
const payload = Buffer.from(settings.body);

function once(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: "POST",
        headers: { Authorization: `Bearer ${settings.key}`, "Content-Type": "application/json", "Content-Length": payload.length },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

async function run(count: number, latencies?: number[], statuses?: Map<number, number>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const t0 = performance.now();
      const status = await once();
      const ms = performance.now() - t0;
      latencies?.push(ms);
      statuses?.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, worker));
}

async function main(): Promise<void> {
  await run(settings.warmup);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const t0 = performance.now();
  await run(settings.total, latencies, statuses);
  const elapsedMs = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  agent.destroy();
  process.stdout.write(
    `${JSON.stringify({ requests: latencies.length, elapsedMs, rps: latencies.length / (elapsedMs / 1000), p50: pct(50), p90: pct(90), p99: pct(99), max: latencies[latencies.length - 1], statuses: Object.fromEntries(statuses) })}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
