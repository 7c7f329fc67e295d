/**
 * `import:` is refused with a check failure that points to adoption (issue 18). The engine imports by reading the
 * resource with nothing recorded, and a dynamic resource's provider lives in its recorded state, so the import
 * used to fail deep in the engine ("code must be a string, not undefined"). The resource classes drop the option
 * and pass the id as an input; the check of every lifecycle (lifecycle/credentials.ts) refuses it before any read.
 */
import type * as pulumi from "@pulumi/pulumi";

export const IMPORT_REFUSED = "__importRefused";

/** The options without `import`, and the input that makes check refuse it. */
export function refuseImport(opts: pulumi.CustomResourceOptions | undefined): { opts: pulumi.CustomResourceOptions; input: Record<string, string> } {
  const { import: id, ...rest } = opts ?? {};
  return { opts: rest, input: id === undefined ? {} : { [IMPORT_REFUSED]: String(id) } };
}
