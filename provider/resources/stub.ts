/**
 * The provider object every resource hands to `pulumi.dynamic.Resource`. It is closure-serialized into each
 * resource's state (inputs and outputs), so it holds no implementation: it loads the installed package by name
 * in the provider process. A package-name `require` inside a function body is kept as a `require` call by the
 * serializer, a relative import would be copied by value (issue 8: 93 KB per binding before).
 *
 * Consequences: the implementation is ordinary installed code (classes, `instanceof`), and upgrading the package
 * changes what refresh and destroy run.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Bumped when the calls a stub makes change shape; an installed implementation older than this is refused. */
export const STUB_API_VERSION = 1;

/** The lifecycle modules a stub may name (files under provider/lifecycle/). */
export type LifecycleModule = "scoringEndpoint" | "trainedModelBinding" | "retrainingRun" | "trainingService" | "pipelineRun" | "rolloutWave";

export function stubProvider<I, O>(module: LifecycleModule): pulumi.dynamic.ResourceProvider<I, O> {
  // Serialized into state: no relative imports, nothing captured but `module`. The dynamic-provider server calls
  // `configure` right after loading a provider text, before any other method, and looks methods up afterwards;
  // so `configure` alone loads the installed implementation and copies its methods onto this object,
  // synchronously, before a concurrent call can see it.
  return {
    configure(this: Record<string, unknown>, req: unknown) {
      const pkg = "pulumi-azureml-retrain";
      let impl;
      try {
        impl = require(`${pkg}/lifecycle/${module}`);
      } catch (err) {
        if (!/MODULE_NOT_FOUND|NOT_EXPORTED/.test(String((err as { code?: string }).code))) throw err;
      }
      if (!impl || !(impl.API_VERSION >= 1)) {
        const message = `${pkg} (provider API 1 or newer) is not installed where the Pulumi program runs (${process.cwd()}): run npm install ${pkg} there`;
        for (const m of ["check", "diff", "create", "read", "update", "delete"]) this[m] = () => Promise.reject(new Error(message));
        return Promise.resolve();
      }
      Object.assign(this, impl.provider);
      return impl.provider.configure ? impl.provider.configure(req) : Promise.resolve();
    },
  } as unknown as pulumi.dynamic.ResourceProvider<I, O>;
}
