/**
 * Credentials are not identity (issue 8). A resource may name stack config keys for its credentials
 * (`credentialConfig: { workspaceToken: "workspaceToken" }`); every lifecycle call, read and delete included,
 * then uses that key's value in the current stack config, not the one stored in state at the last update.
 *
 * The dynamic provider's `configure({ config })` receives the whole stack config with secrets unwrapped; the
 * config is kept on globalThis under a registered symbol (one provider process serves every resource, and the
 * serializer never captures globals).
 */
import type * as pulumi from "@pulumi/pulumi";
import { fromWire, resultToWire } from "./quiet";
import { reviewAware } from "./reviewMode";
import { plainFailure, plainResult } from "./plainValues";
import { activateDeclarations } from "../declarations";
import { IMPORT_REFUSED } from "../resources/noImport";

/** Credential field → stack config key (`key` for the project's namespace, or `namespace:key`). */
export type CredentialConfig = Partial<Record<string, string>>;

interface ConfigLike {
  get(key: string): string | undefined;
}

const KEY = Symbol.for("pulumi-azureml-retrain/config");

function current(): ConfigLike | undefined {
  return (globalThis as unknown as Record<symbol, ConfigLike | undefined>)[KEY];
}

export function configure(req: { config: ConfigLike }): void {
  (globalThis as unknown as Record<symbol, ConfigLike | undefined>)[KEY] = req.config;
}

/** The inputs with each credential named in `credentialConfig` replaced by its current stack config value. */
export function withCurrentCredentials<T>(inputs: T): T {
  const named = (inputs as { credentialConfig?: CredentialConfig } | undefined)?.credentialConfig;
  const config = current();
  if (!inputs || typeof inputs !== "object" || !named || typeof named !== "object" || !config) return inputs;
  const out = { ...(inputs as Record<string, unknown>) };
  for (const [field, key] of Object.entries(named)) {
    if (typeof key !== "string") continue;
    const value = config.get(key);
    if (value !== undefined) out[field] = value;
  }
  return out as T;
}

/**
 * Wraps a lifecycle implementation: `configure` records the stack config, and every object argument
 * (olds, news, props) carries the current credentials before the implementation sees it. Recorded inputs are
 * translated to and from their quieter wire form (quiet.ts) on the way, and every result and recorded failure state
 * is made plain for the engine (plainValues.ts).
 */
export function withCredentials<I, O>(impl: pulumi.dynamic.ResourceProvider<I, O>): pulumi.dynamic.ResourceProvider<I, O> {
  const fresh = <A extends unknown[]>(args: A) => args.map((a) => (a && typeof a === "object" ? withCurrentCredentials(fromWire(a)) : a)) as A;
  const out: Record<string, unknown> = {
    async configure(req: { config: ConfigLike }) {
      configure(req);
      // Only the engine configures: this process now serves one run of one stack.
      activateDeclarations();
    },
  };
  for (const [name, fn] of Object.entries(impl as unknown as Record<string, unknown>)) {
    if (typeof fn !== "function") continue;
    // Review mode sees the wire form, so a refusal it records has already been cleaned like any other result.
    out[name] = reviewAware(name, async (...args: unknown[]) => {
      if (name === "check") {
        const refused = importRefusal(args[1]);
        if (refused) return refused;
      }
      try {
        return plainResult(await resultToWire(name, (fn as (...a: unknown[]) => unknown).apply(impl, fresh(args))));
      } catch (err) {
        throw plainFailure(err);
      }
    });
  }
  return out as unknown as pulumi.dynamic.ResourceProvider<I, O>;
}

/** A resource declared with `import:` (resources/noImport.ts): refused at check, pointing to adoption. */
function importRefusal(news: unknown): { inputs: unknown; failures: Array<{ property: string; reason: string }> } | undefined {
  const id = (news as Record<string, unknown> | undefined)?.[IMPORT_REFUSED];
  if (typeof id !== "string") return undefined;
  return {
    inputs: news,
    failures: [{
      property: "import",
      reason: `import "${id}" is not supported: a dynamic resource keeps its provider in its state, which an import does not have. ` +
        "Remove the import option. To take over an existing classic endpoint, declare a ScoringEndpoint with adopt: true (provider/README.md, Adoption); " +
        "a TrainedModelBinding or ModelRollout needs no import: it reads what the target serves at preview",
    }],
  };
}
