/**
 * A held model is visible on every `up` (issue 17 item 4): while a binding or a rollout wave holds a model for
 * review (`promotion: "reviewed"`), the `up` that leaves it held prints a warning on the resource naming the model
 * and what to do, so a scheduled pipeline that never exports `heldModel` still says so. Program-side: outputs
 * resolve only on apply, so previews stay quiet (the preview itself shows the held model old → new).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ModelBlobRef } from "../validation";

export function heldModelWarning(kind: string, name: string, held: Pick<ModelBlobRef, "container" | "path" | "etag">, reason: string | undefined): string {
  return (
    `${kind} "${name}" holds ${held.container}/${held.path} (etag ${held.etag}) and keeps serving its current model: ${reason ?? "held for review"}. ` +
    `Review it (pulumi preview --diff, or azureml-retrain-review) and run up again, or pin it in the stack config.`
  );
}

export function warnWhileHeld(resource: pulumi.CustomResource, kind: string, name: string, heldModel: pulumi.Output<ModelBlobRef | undefined>, heldReason: pulumi.Output<string | undefined>): void {
  pulumi.all([heldModel, heldReason]).apply(([held, reason]) => {
    if (held && typeof held === "object" && held.path) pulumi.log.warn(heldModelWarning(kind, name, held, reason), resource);
  });
}
