/**
 * Program side of "reviewed" (promotion/previewLedger.ts): in a preview, record that it showed the resource's model,
 * before the resource is registered. The returned input (`__previewed`) is the same constant in every run, so
 * diffs and update plans never see it change; only its resolution waits for the marker write, which is what makes
 * check of the same preview find the marker. Outside a preview, under another policy, or for a pin, nothing is
 * written.
 */
import * as pulumi from "@pulumi/pulumi";
import type { UserDelegationKey } from "../clients/storage";
import { HttpSettings } from "../transport";
import { redact } from "../errors";
import { programStorageAccess } from "../latestModel";
import { DEFAULT_PROMOTION_POLICY } from "../promotion/freshModels";
import { recordPreviewed } from "../promotion/previewLedger";
import type { ModelBlobRef } from "../validation";

export const PREVIEWED_INPUT = "__previewed";
const MARKER_VERSION = "v1";

export interface PreviewMarkerArgs {
  model?: pulumi.Input<ModelBlobRef>;
  promotion?: pulumi.Input<string>;
  pin?: pulumi.Input<unknown>;
  storageAccountName: pulumi.Input<string>;
  storageBlobEndpoint?: pulumi.Input<string>;
  storageAccountKey?: pulumi.Input<string>;
  storageUserDelegationKey?: pulumi.Input<UserDelegationKey>;
  http?: pulumi.Input<HttpSettings>;
}

export function previewMarker(resourceName: string, ownerStack: string, args: PreviewMarkerArgs, parent?: pulumi.Resource): pulumi.Output<string> {
  if (!pulumi.runtime.isDryRun()) return pulumi.output(MARKER_VERSION);
  const written = pulumi
    .all([args.model, args.promotion, args.pin, args.storageAccountName, args.storageBlobEndpoint, args.storageAccountKey, args.storageUserDelegationKey, args.http])
    .apply(async ([model, promotion, pin, storageAccountName, storageBlobEndpoint, storageAccountKey, storageUserDelegationKey, http]) => {
      const m = model as ModelBlobRef | undefined;
      if ((promotion ?? DEFAULT_PROMOTION_POLICY) !== "reviewed" || pin !== undefined || !m?.etag || m.pinnedFrom) return MARKER_VERSION;
      const { access, secrets } = programStorageAccess({ storageAccountName, storageBlobEndpoint, storageAccountKey, storageUserDelegationKey, http });
      try {
        await recordPreviewed(access, ownerStack, resourceName, m);
      } catch (err) {
        // The preview goes on; check then finds no marker and shows the promotion held, which says what to fix.
        const why = err instanceof Error ? err.message : String(err);
        pulumi.log.warn(`could not record that this preview showed ${m.container}/${m.path} for "${resourceName}" (${redact(why, secrets)}); promotion "reviewed" will hold it until a preview records it`, parent);
      }
      return MARKER_VERSION;
    });
  return pulumi.unsecret(written);
}
