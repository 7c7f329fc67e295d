/**
 * The emulator's options: one typed object, parsed once from environment variables and command-line flags.
 * Flags win over environment variables, which win over the DEFAULT_* constants.
 */
import * as path from "path";

/** The API surfaces of the contract, as the emulator counts requests and injects faults. */
export const SURFACES = ["management", "bes", "rrs", "arm", "pipelines"] as const;
export type Surface = (typeof SURFACES)[number];

export const LOG_LEVELS = ["silent", "fatal", "error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Region prefixes of the classic hosts (contract §1.2). One listener serves all of them; the prefix only appears in
 * URLs and decides which workspaces answer (E7).
 */
export const REGIONS = ["ussouthcentral", "europewest", "asiasoutheast", "japaneast", "uswestcentral", "germanycentral"] as const;

/** Loopback only: the emulator hands out keys and reads storage with client-supplied credentials. */
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 7080;
/** Azurite's well-known blob port, kept fixed so blob URLs stored in a data dir stay valid across restarts. */
export const DEFAULT_AZURITE_PORT = 10000;
export const DEFAULT_DATA_DIR = ".data/emulator";
export const DEFAULT_REGION = "ussouthcentral";
/** How long a started BES job or pipeline run reports Running before it ends. */
export const DEFAULT_JOB_RUN_MS = 300;
/** How long an ARM PUT/PATCH stays Provisioning. */
export const DEFAULT_ARM_PROVISIONING_DELAY_MS = 300;
/**
 * Delay before RRS serves a newly bound model. The real service took about 30 s (contract §1.5 M6); the emulator
 * defaults to 0 so tests do not wait, and can be set to 30000 to rehearse the real lag.
 */
export const DEFAULT_MODEL_SWAP_DELAY_MS = 0;
export const DEFAULT_LOG_LEVEL: LogLevel = "warn";
/** Rows of generated Adult data the seed trains the initial model on. */
export const DEFAULT_SEED_ROWS = 4000;

/** Fault injection for one surface; every rate is a probability in [0, 1]. All off by default. */
export interface FaultSpec {
  /** Share of requests answered 500 with the surface's internal-error body. */
  errorRate?: number;
  /** Share of requests answered 503 with the surface's service-unavailable body. */
  unavailableRate?: number;
  /** Share of requests answered 429 with `Retry-After`. */
  throttleRate?: number;
  /** `Retry-After` seconds sent with injected 429s. Default 1. */
  retryAfterSeconds?: number;
  /** Added latency before the handler runs, in ms. */
  latencyMs?: number;
  /** Share of requests whose connection is destroyed without a response. */
  dropRate?: number;
  /**
   * Share of writes (PUT, PATCH, POST, DELETE) that are carried out and whose answer is then lost: the connection is
   * destroyed instead of answering. What a client sees is a reset after the change took effect (issue 11).
   */
  lostAnswerRate?: number;
  /** Delay, in ms, between carrying out a write and answering it (a client with a shorter timeout gives up). */
  answerDelayMs?: number;
}
export type FaultOptions = Partial<Record<Surface, FaultSpec>>;

export interface EmulatorOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Where state, bound models, the manifest and (when the emulator starts it) Azurite's data live. */
  dataDir: string;
  /** Keep state in memory only; nothing is written to dataDir and no manifest is written. */
  inMemory: boolean;
  /** Use this storage account instead of starting Azurite. */
  storageConnectionString?: string;
  /** Port of the Azurite the emulator starts; 0 picks a free one. */
  azuritePort: number;
  /** Region prefix of the seeded workspace (contract §1.2). */
  region: string;
  /** Provision the seeded workspace, services, ARM web service and pipeline endpoint. */
  seed: boolean;
  seedRows: number;
  jobRunMs: number;
  armProvisioningDelayMs: number;
  modelSwapDelayMs: number;
  logLevel: LogLevel;
  faults: FaultOptions;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function defaultOptions(cwd = process.cwd()): EmulatorOptions {
  return {
    host: DEFAULT_HOST,
    port: DEFAULT_PORT,
    dataDir: path.resolve(cwd, DEFAULT_DATA_DIR),
    inMemory: false,
    storageConnectionString: undefined,
    azuritePort: DEFAULT_AZURITE_PORT,
    region: DEFAULT_REGION,
    seed: true,
    seedRows: DEFAULT_SEED_ROWS,
    jobRunMs: DEFAULT_JOB_RUN_MS,
    armProvisioningDelayMs: DEFAULT_ARM_PROVISIONING_DELAY_MS,
    modelSwapDelayMs: DEFAULT_MODEL_SWAP_DELAY_MS,
    logLevel: DEFAULT_LOG_LEVEL,
    faults: {},
  };
}

type Kind = "string" | "port" | "ms" | "count" | "bool" | "region" | "logLevel" | "faults" | "path";
interface Setting {
  key: keyof EmulatorOptions;
  env: string;
  flag: string;
  kind: Kind;
}

/** Every option, its environment variable and its flag (README lists the same table). */
export const SETTINGS: readonly Setting[] = [
  { key: "host", env: "AZUREML_EMULATOR_HOST", flag: "--host", kind: "string" },
  { key: "port", env: "AZUREML_EMULATOR_PORT", flag: "--port", kind: "port" },
  { key: "dataDir", env: "AZUREML_EMULATOR_DATA_DIR", flag: "--data-dir", kind: "path" },
  { key: "inMemory", env: "AZUREML_EMULATOR_IN_MEMORY", flag: "--in-memory", kind: "bool" },
  { key: "storageConnectionString", env: "AZUREML_EMULATOR_STORAGE_CONNECTION_STRING", flag: "--storage-connection-string", kind: "string" },
  { key: "azuritePort", env: "AZUREML_EMULATOR_AZURITE_PORT", flag: "--azurite-port", kind: "port" },
  { key: "region", env: "AZUREML_EMULATOR_REGION", flag: "--region", kind: "region" },
  { key: "seed", env: "AZUREML_EMULATOR_SEED", flag: "--seed", kind: "bool" },
  { key: "seedRows", env: "AZUREML_EMULATOR_SEED_ROWS", flag: "--seed-rows", kind: "count" },
  { key: "jobRunMs", env: "AZUREML_EMULATOR_JOB_RUN_MS", flag: "--job-run-ms", kind: "ms" },
  { key: "armProvisioningDelayMs", env: "AZUREML_EMULATOR_ARM_PROVISIONING_DELAY_MS", flag: "--arm-provisioning-delay-ms", kind: "ms" },
  { key: "modelSwapDelayMs", env: "AZUREML_EMULATOR_MODEL_SWAP_DELAY_MS", flag: "--model-swap-delay-ms", kind: "ms" },
  { key: "logLevel", env: "AZUREML_EMULATOR_LOG_LEVEL", flag: "--log-level", kind: "logLevel" },
  { key: "faults", env: "AZUREML_EMULATOR_FAULTS", flag: "--faults", kind: "faults" },
];

function parseValue(setting: Setting, raw: string, source: string, cwd: string): unknown {
  const fail = (what: string): never => {
    throw new ConfigError(`${source}: ${what}`);
  };
  switch (setting.kind) {
    case "string":
      return raw;
    case "path":
      return path.resolve(cwd, raw);
    case "port": {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`'${raw}' is not a TCP port (0-65535; 0 picks a free one).`);
      return n;
    }
    case "ms":
    case "count": {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) fail(`'${raw}' is not a non-negative integer.`);
      return n;
    }
    case "bool": {
      const v = raw.toLowerCase();
      if (["1", "true", "yes", "on"].includes(v)) return true;
      if (["0", "false", "no", "off"].includes(v)) return false;
      return fail(`'${raw}' is not a boolean (true/false, 1/0, yes/no, on/off).`);
    }
    case "region":
      if (!(REGIONS as readonly string[]).includes(raw)) fail(`'${raw}' is not a region prefix; use one of ${REGIONS.join(", ")}.`);
      return raw;
    case "logLevel":
      if (!(LOG_LEVELS as readonly string[]).includes(raw)) fail(`'${raw}' is not a log level; use one of ${LOG_LEVELS.join(", ")}.`);
      return raw;
    case "faults":
      return parseFaults(raw, source);
  }
}

/** `{"rrs":{"throttleRate":1,"retryAfterSeconds":2}}`: surfaces and fields as in FaultSpec. */
export function parseFaults(raw: string, source = "faults"): FaultOptions {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError(`${source}: not JSON. Example: {"rrs":{"throttleRate":0.1,"retryAfterSeconds":1}}`);
  }
  return validateFaults(value, source);
}

export function validateFaults(value: unknown, source = "faults"): FaultOptions {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new ConfigError(`${source}: must be an object keyed by surface (${SURFACES.join(", ")}).`);
  const out: FaultOptions = {};
  for (const [surface, spec] of Object.entries(value as Record<string, unknown>)) {
    if (!(SURFACES as readonly string[]).includes(surface)) throw new ConfigError(`${source}: unknown surface '${surface}'; use ${SURFACES.join(", ")}.`);
    if (!spec || typeof spec !== "object") throw new ConfigError(`${source}.${surface}: must be an object.`);
    const checked: FaultSpec = {};
    for (const [field, v] of Object.entries(spec as Record<string, unknown>)) {
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new ConfigError(`${source}.${surface}.${field}: must be a non-negative number.`);
      if (field.endsWith("Rate")) {
        if (v > 1) throw new ConfigError(`${source}.${surface}.${field}: a rate is a probability between 0 and 1.`);
      } else if (field !== "latencyMs" && field !== "retryAfterSeconds" && field !== "answerDelayMs") {
        throw new ConfigError(`${source}.${surface}: unknown field '${field}'; use errorRate, unavailableRate, throttleRate, retryAfterSeconds, latencyMs, dropRate, lostAnswerRate, answerDelayMs.`);
      }
      (checked as Record<string, number>)[field] = v;
    }
    out[surface as Surface] = checked;
  }
  return out;
}

/** Parses `env` and `argv` (flags only, e.g. `["--port", "0", "--in-memory"]`) over the defaults. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2), cwd = process.cwd()): EmulatorOptions {
  const options = defaultOptions(cwd) as unknown as Record<string, unknown>;
  for (const setting of SETTINGS) {
    const raw = env[setting.env];
    if (raw !== undefined && raw !== "") options[setting.key] = parseValue(setting, raw, setting.env, cwd);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") throw new ConfigError(usage());
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (name === "--no-seed") {
      options.seed = false;
      continue;
    }
    const setting = SETTINGS.find((s) => s.flag === name);
    if (!setting) throw new ConfigError(`Unknown flag '${name}'.\n${usage()}`);
    let raw = inline;
    if (raw === undefined) {
      if (setting.kind === "bool" && (argv[i + 1] === undefined || argv[i + 1].startsWith("--"))) raw = "true";
      else raw = argv[++i];
    }
    if (raw === undefined) throw new ConfigError(`${name} needs a value.`);
    options[setting.key] = parseValue(setting, raw, name, cwd);
  }
  return options as unknown as EmulatorOptions;
}

export function usage(): string {
  const lines = SETTINGS.map((s) => `  ${(s.flag + (s.kind === "bool" ? "" : " <value>")).padEnd(38)} env ${s.env}`);
  return `Usage: azureml-emulator [flags]\n${lines.join("\n")}\n  --no-seed                              start without the seeded services`;
}
