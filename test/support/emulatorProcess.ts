/**
 * The emulator as its own process, started the way `npm run emulator` starts it (emulator/server.ts, flags), for
 * what an in-process emulator cannot show: a SIGKILL at an arbitrary moment, and the emulator's own CPU time apart
 * from its client's.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { EmulatorManifest } from "../../emulator/manifest";

const ROOT = path.resolve(__dirname, "..", "..");

export interface EmulatorProcess {
  child: ChildProcess;
  url: string;
  manifest: EmulatorManifest;
  /** CPU seconds (user + system) the process has used so far; Linux only (/proc). */
  cpuSeconds(): number;
  /** SIGTERM (a clean stop) or SIGKILL; resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface EmulatorProcessOptions {
  storageConnectionString: string;
  /** A data dir, or undefined for `--in-memory`. */
  dataDir?: string;
  args?: string[];
  startTimeoutMs?: number;
}

export function spawnEmulator(options: EmulatorProcessOptions): Promise<EmulatorProcess> {
  const args = [
    "-r", "ts-node/register/transpile-only", path.join(ROOT, "emulator", "server.ts"),
    "--port", "0", "--log-level", "silent", "--storage-connection-string", options.storageConnectionString,
    ...(options.dataDir ? ["--data-dir", options.dataDir] : ["--in-memory"]),
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") } });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let out = "";
  let err = "";
  child.stderr!.on("data", (d) => (err = (err + d).slice(-4000)));
  return new Promise<EmulatorProcess>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`emulator did not start within ${options.startTimeoutMs ?? 60_000} ms:\n${out}\n${err}`)), options.startTimeoutMs ?? 60_000);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(e);
    };
    const early = (code: number | null): void => fail(new Error(`emulator exited (${code}) before it was ready:\n${out}\n${err}`));
    child.once("exit", early);
    child.stdout!.on("data", (d) => {
      out += d;
      const manifest = readManifest(out);
      if (!manifest) return;
      clearTimeout(timer);
      child.off("exit", early);
      child.stdout!.removeAllListeners("data");
      child.stdout!.resume();
      resolve({
        child,
        url: manifest.emulatorUrl,
        manifest,
        cpuSeconds: () => processCpuSeconds(child.pid!),
        stop: async (signal = "SIGTERM") => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    });
  });
}

/** The manifest once the start-up lines are complete: read from its file, or parsed from the in-memory print. */
function readManifest(out: string): EmulatorManifest | undefined {
  const file = /^Manifest: (.+)$/m.exec(out)?.[1];
  if (file) return JSON.parse(fs.readFileSync(file.trim(), "utf8")) as EmulatorManifest;
  const printed = out.split("Manifest (in memory):\n")[1];
  if (!printed) return undefined;
  try {
    return JSON.parse(printed) as EmulatorManifest;
  } catch {
    return undefined; // not all of it yet
  }
}

/** utime + stime from /proc/{pid}/stat, in seconds (clock ticks are 100 per second on Linux). */
function processCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
