/**
 * The environment every Pulumi CLI run of this project gets: the project's own toolchain first on PATH, a local
 * file backend, a passphrase secrets provider and no network (no update checks, no plugin downloads).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..").replace(/[\\/]dist$/, "");
/** Passphrase for local stacks when PULUMI_CONFIG_PASSPHRASE is not set. Local use only: it protects nothing. */
export const DEFAULT_LOCAL_PASSPHRASE = "local-development-only";
export const DEFAULT_STATE_DIR = path.join(REPO_ROOT, ".state", "pulumi");
const PULUMI_HOME = path.join(REPO_ROOT, ".tools", "pulumi-home");

let binDir: string | undefined;

/** Runs the toolchain script (cached after the first build) and returns the folder holding `pulumi`. */
export function pulumiBinDir(): string {
  if (binDir) return binDir;
  const out = execFileSync("bash", [path.join(REPO_ROOT, "scripts", "pulumi-toolchain.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = out.trim().split("\n");
  binDir = lines[lines.length - 1];
  return binDir;
}

export interface PulumiEnvOptions {
  /** Folder of the file backend; default `.state/pulumi` in the repo. */
  stateDir?: string;
  binDir?: string;
}

export function pulumiEnv(options: PulumiEnvOptions = {}): Record<string, string> {
  const stateDir = path.resolve(options.stateDir ?? process.env.PULUMI_STATE_DIR ?? DEFAULT_STATE_DIR);
  fs.mkdirSync(stateDir, { recursive: true });
  fs.mkdirSync(PULUMI_HOME, { recursive: true });
  const binDir = options.binDir ?? pulumiBinDir();
  return {
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: process.env.PULUMI_BACKEND_URL ?? `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? DEFAULT_LOCAL_PASSPHRASE,
    PULUMI_HOME: process.env.PULUMI_HOME ?? PULUMI_HOME,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // Type errors are caught by `npm run typecheck`; the engine only needs the JavaScript.
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
  };
}
