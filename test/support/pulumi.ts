/**
 * Runs on-disk Pulumi projects through the real engine (Automation API → our CLI → nodejs language host),
 * each test with its own file backend and stack, destroyed and removed afterwards.
 */
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pulumiBinDir, pulumiEnv } from "../../scripts/services/pulumiEnv";
import { AbandonedTestError, track } from "./inFlight";

let command: Promise<PulumiCommand> | undefined;
let stacksCreated = 0;

/** The project's CLI (.tools/pulumi or the one on PATH), for Automation API workspaces. */
export function pulumiCommand(): Promise<PulumiCommand> {
  command ??= PulumiCommand.get({ root: path.dirname(pulumiBinDir()) });
  return command;
}

export interface TestStack {
  stack: Stack;
  stateDir: string;
  envVars: Record<string, string>;
}

/**
 * The stack as a test sees it: once the test has ended (failed or timed out), every further call refuses to start,
 * so the test's remaining steps stop and `withStack` goes straight to its destroy (issue 19).
 */
function guarded(stack: Stack, isAbandoned: () => boolean): Stack {
  return new Proxy(stack, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (isAbandoned()) throw new AbandonedTestError(`Stack.${String(property)}`);
        return value.apply(target, args);
      };
    },
  });
}

/**
 * Creates a stack on a fresh file backend, runs `fn`, then destroys and removes the stack, whatever `fn` did. Tracked
 * (test/support/inFlight.ts): the next test starts only after this one's destroy has ended.
 */
export function withStack<T>(
  workDir: string,
  config: Record<string, { value: string; secret?: boolean }>,
  fn: (t: TestStack) => Promise<T>,
  options: WithStackOptions = {},
): Promise<T> {
  return track((isAbandoned) => runWithStack(workDir, config, fn, options, isAbandoned));
}

interface WithStackOptions {
  stackNamePrefix?: string;
  /** Replaces variables of the stack's environment, e.g. PULUMI_BACKEND_URL for another backend (test/support/azblob.ts). */
  envOverrides?: Record<string, string>;
}

async function runWithStack<T>(
  workDir: string,
  config: Record<string, { value: string; secret?: boolean }>,
  fn: (t: TestStack) => Promise<T>,
  options: WithStackOptions,
  isAbandoned: () => boolean,
): Promise<T> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-state-"));
  const envVars = { ...pulumiEnv({ stateDir }), ...options.envOverrides };
  // Unique per run; a prefix lets a test choose what the stack name starts with (e.g. `prod`).
  stacksCreated += 1;
  const stackName = `${options.stackNamePrefix ?? "t"}${process.pid}${Date.now().toString(36)}${stacksCreated}`;
  const stack = await LocalWorkspace.createStack(
    { stackName, workDir },
    { pulumiCommand: await pulumiCommand(), envVars, pulumiHome: envVars.PULUMI_HOME },
  );
  try {
    await stack.setAllConfig(config);
    return await fn({ stack: guarded(stack, isAbandoned), stateDir, envVars });
  } finally {
    try {
      await stack.destroy();
      await stack.workspace.removeStack(stackName);
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
      // LocalWorkspace writes Pulumi.<stack>.yaml into the project folder.
      fs.rmSync(path.join(workDir, `Pulumi.${stackName}.yaml`), { force: true });
    }
  }
}

/** The resource steps of a run, by URN name, as the engine reported them. */
export function collectSteps(events: EngineEvent[]): Array<{ op: string; type: string; name: string; oldInputs?: Record<string, unknown>; newInputs?: Record<string, unknown> }> {
  return events
    .filter((e) => e.resourcePreEvent && !/^pulumi:(pulumi:Stack|providers:)/.test(e.resourcePreEvent.metadata.type))
    .map((e) => {
      const m = e.resourcePreEvent!.metadata;
      return {
        op: m.op,
        type: m.type,
        name: m.urn.split("::").pop()!,
        oldInputs: m.old?.inputs as Record<string, unknown> | undefined,
        newInputs: m.new?.inputs as Record<string, unknown> | undefined,
      };
    });
}

/**
 * The stack's checkpoint as the file backend stores it (what `pulumi stack export` prints without
 * --show-secrets). The Automation API's exportStack() decrypts secrets, so tests about secrets read this instead.
 */
export function storedState(stateDir: string): string {
  const stacksDir = path.join(stateDir, ".pulumi", "stacks");
  const files = fs.readdirSync(stacksDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json"));
  if (files.length !== 1) throw new Error(`expected one stack checkpoint under ${stacksDir}, found ${files.length}`);
  return fs.readFileSync(path.join(stacksDir, files[0]), "utf8");
}
