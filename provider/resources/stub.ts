/**
 * The provider object every resource hands to `pulumi.dynamic.Resource`. It is closure-serialized into each
 * resource's state (inputs and outputs), so it holds no implementation: each method loads the installed package
 * by name at call time and forwards. A package-name `require` inside a method body is kept as a `require` call
 * by the serializer, a relative import would be copied by value (issue 8: 93 KB per binding before).
 *
 * Consequences: the implementation is ordinary installed code (classes, `instanceof`), and upgrading the package
 * changes what refresh and destroy run.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Bumped when the calls a stub makes change shape; an installed implementation older than this is refused. */
export const STUB_API_VERSION = 1;

/** The lifecycle modules a stub may name (files under provider/lifecycle/). */
export type LifecycleModule = "scoringEndpoint" | "trainedModelBinding" | "retrainingRun" | "trainingService";

export function stubProvider<I, O>(module: LifecycleModule): pulumi.dynamic.ResourceProvider<I, O> {
  // Everything below is serialized into state: no relative imports, no captured values but `module`.
  const call = (method: string, args: unknown[]) => {
    const pkg = "pulumi-azureml-retrain";
    let impl;
    try {
      impl = require(`${pkg}/lifecycle/${module}`);
    } catch (err) {
      if (!/MODULE_NOT_FOUND|NOT_EXPORTED/.test(String((err as { code?: string }).code))) throw err;
    }
    if (!impl || !(impl.API_VERSION >= 1)) {
      throw new Error(`${pkg} (provider API 1 or newer) is not installed where the Pulumi program runs (${process.cwd()}): run npm install ${pkg} there`);
    }
    const f = impl.provider[method];
    return f ? f.apply(impl.provider, args) : Promise.resolve({});
  };
  return {
    configure: (...a: unknown[]) => call("configure", a),
    check: (...a: unknown[]) => call("check", a),
    diff: (...a: unknown[]) => call("diff", a),
    create: (...a: unknown[]) => call("create", a),
    read: (...a: unknown[]) => call("read", a),
    update: (...a: unknown[]) => call("update", a),
    delete: (...a: unknown[]) => call("delete", a),
  } as unknown as pulumi.dynamic.ResourceProvider<I, O>;
}
