/**
 * Endpoint ownership (issue 10): a TrainedModelBinding claims its target — one trained model on one classic
 * endpoint or ARM web service — for its stack, so two stacks cannot both bind it and then undo each other on
 * every up.
 *
 * The claim is a JSON blob `azureml-retrain/claims/<target key>.json` in the storage account the binding already
 * uses for its model. Preview (check of a new binding, diff of a promotion or a target change) only reads it and
 * refuses a target another stack owns; apply creates it with a create-only PUT, so of two stacks racing exactly
 * one wins; the owner's delete removes it if it is still the owner's. Runs inside the dynamic provider.
 */
import { DEFAULT_CLASSIC_REGION } from "./clients/management";
import { formatFailure, isServiceError } from "./errors";
import { STATE_CONTAINER, StateBlob, createStateBlob, deleteStateBlob, readStateBlob, replaceStateBlob } from "./clients/stateBlobs";
import { TYPE, TrainedModelBindingInputs, nameOf, secretsOf, storageOf } from "./targets/target";
import { InputFailure, isKnown } from "./validation";

/** What a claim blob holds. */
export interface Claim {
  /** The owning stack, `<org>/<project>/<stack>`. */
  owner: string;
  target: string;
  /** The owner's binding (resource name) that claimed it first. */
  binding: string;
  claimedAt: string;
  /**
   * Every resource of the owning stack that declares the target now (issue 18): a refactor (bindings → a rollout,
   * or back) adds the new resource before the old one's delete removes itself, and the claim goes only when the
   * last holder does. A claim written before holders existed is held by `binding` alone.
   */
  holders?: string[];
}

const holdersOf = (c: Claim): string[] => c.holders ?? [c.binding];

/**
 * The target's key: `classic/<region>/<workspaceId>/<webServiceId>/<endpointName>/<trainedModelName>` or
 * `arm/<subscriptionId>/<resourceGroup>/<webServiceName>/<trainedModelName>`. Every field whose change replaces
 * the binding is part of it, so a replacement's delete never releases its successor's claim. Undefined while a
 * part is unknown (preview of a target created in the same update).
 */
export function bindingTargetKey(i: Partial<TrainedModelBindingInputs>): string | undefined {
  const parts =
    i.targetKind === "arm"
      ? ["arm", i.subscriptionId, i.resourceGroup, i.webServiceName, i.trainedModelName]
      : i.targetKind === "classic"
        ? ["classic", i.region ?? DEFAULT_CLASSIC_REGION, i.workspaceId, i.webServiceId, i.endpointName, i.trainedModelName]
        : [undefined];
  if (!parts.every((p) => typeof p === "string" && p.length > 0 && isKnown(p))) return undefined;
  return (parts as string[]).map((p) => p.replace(/\//g, "%2F")).join("/");
}

export function claimPath(key: string): string {
  return `claims/${key}.json`;
}

/** What ownership needs known: the stack, the target, and the storage access. */
function ready(i: Partial<TrainedModelBindingInputs>): i is TrainedModelBindingInputs & { ownerStack: string } {
  return typeof i.ownerStack === "string" && bindingTargetKey(i) !== undefined &&
    isKnown([i.ownerStack, i.storageAccountName, i.storageBlobEndpoint, i.storageAccountKey, i.storageUserDelegationKey]);
}

function targetProperty(i: Partial<TrainedModelBindingInputs>): string {
  return i.targetKind === "arm" ? "webServiceName" : "endpointName";
}

function refusal(i: TrainedModelBindingInputs & { ownerStack: string }, key: string, claim: Claim): InputFailure {
  return {
    property: targetProperty(i),
    reason: `target ${key} is owned by stack ${claim.owner} (binding "${claim.binding}", claimed ${claim.claimedAt}); stack ${i.ownerStack} may not bind it`,
    fix:
      `Nothing was written. To hand it over, the owner releases it: in stack ${claim.owner}, remove the binding and run pulumi up, or run pulumi destroy ` +
      `(--target <the binding's URN> keeps the rest); then run this again. If that stack no longer exists, delete the blob ` +
      `${STATE_CONTAINER}/${claimPath(key)} in storage account ${i.storageAccountName} (provider/README.md, Ownership)`,
  };
}

function readFailure(i: TrainedModelBindingInputs, err: unknown): InputFailure {
  const denied = isServiceError(err) && (err.status === 401 || err.status === 403);
  return {
    property: denied ? (i.storageAccountKey ? "storageAccountKey" : "storageUserDelegationKey") : "storageBlobEndpoint",
    reason: formatFailure(TYPE, nameOf(i), "read of the target's ownership claim", err, undefined, secretsOf(i)),
    fix: "Nothing was written",
  };
}

/**
 * Preview: one read of the claim. A failure when another stack owns the target; none when free or ours.
 * `previousOwner`: the stack named in the binding's state, accepted as ours (the stack was renamed since).
 */
export async function claimFailures(i: Partial<TrainedModelBindingInputs>, previousOwner?: string): Promise<InputFailure[]> {
  if (!ready(i)) return [];
  const key = bindingTargetKey(i)!;
  let claim;
  try {
    claim = await readStateBlob<Claim>(storageOf(i), claimPath(key));
  } catch (err) {
    return [readFailure(i, err)];
  }
  return claim && claim.value.owner !== i.ownerStack && claim.value.owner !== previousOwner ? [refusal(i, key, claim.value)] : [];
}

function refusedError(i: TrainedModelBindingInputs & { ownerStack: string }, key: string, claim: Claim): Error {
  const f = refusal(i, key, claim);
  return new Error(`${TYPE} "${nameOf(i)}": ${f.property}: ${f.reason}. ${f.fix}.`);
}

/**
 * Apply, before the binding's write: claims the target for this stack (create-only PUT) or confirms the stack
 * already owns it. Throws, before anything is written, when another stack owns it. Returns the claim's ETag when
 * this call created it, so a create that fails before its write can release it again. A claim naming
 * `previousOwner` (this binding's stack before `pulumi stack rename`) is rewritten to the current name.
 */
export async function acquireClaim(i: TrainedModelBindingInputs, previousOwner?: string): Promise<string | undefined> {
  if (!ready(i)) return undefined;
  const key = bindingTargetKey(i)!;
  const access = storageOf(i);
  const claim: Claim = { owner: i.ownerStack, target: key, binding: nameOf(i), claimedAt: new Date().toISOString(), holders: [nameOf(i)] };
  let existing: StateBlob<Claim> | undefined;
  try {
    // Released between our PUT and our read: one more create-only attempt.
    for (let attempt = 0; attempt < 2 && !existing; attempt++) {
      const created = await createStateBlob(access, claimPath(key), claim);
      if (created) return created;
      existing = await readStateBlob<Claim>(access, claimPath(key));
    }
  } catch (err) {
    throw new Error(formatFailure(TYPE, nameOf(i), "claim the target", err, `Nothing was bound; the binding needs read, create, write and delete on the storage account's ${STATE_CONTAINER} container`, secretsOf(i)));
  }
  if (!existing) throw new Error(`${TYPE} "${nameOf(i)}": claim the target failed: the claim ${claimPath(key)} changed twice while being acquired. Nothing was bound; run up again.`);
  if (existing.value.owner === i.ownerStack) return joinClaim(i, key, existing);
  if (previousOwner === undefined || existing.value.owner !== previousOwner) throw refusedError(i, key, existing.value);
  const renamed = await replaceStateBlob(access, claimPath(key), { ...claim, holders: [...new Set([...holdersOf(existing.value), nameOf(i)])] }, existing.etag).catch((err: unknown) => {
    throw new Error(formatFailure(TYPE, nameOf(i), "claim the target", err, "Nothing was bound", secretsOf(i)));
  });
  if (!renamed) throw new Error(`${TYPE} "${nameOf(i)}": claim the target failed: the claim ${claimPath(key)} changed while being renamed to ${i.ownerStack}. Nothing was bound; run up again.`);
  return undefined;
}

/**
 * This stack owns the claim already: the resource joins its holders (conditional replace, retried when another
 * resource of the stack changed it meanwhile). Returns nothing: a failed create never removes a claim it joined,
 * since the holder it added is removed by its own delete or by the next release of the same name.
 */
async function joinClaim(i: TrainedModelBindingInputs, key: string, existing: StateBlob<Claim>): Promise<undefined> {
  const access = storageOf(i);
  for (let attempt = 0, current: StateBlob<Claim> | undefined = existing; attempt < 5 && current; attempt++) {
    if (current.value.owner !== i.ownerStack) throw refusedError(i as TrainedModelBindingInputs & { ownerStack: string }, key, current.value);
    if (holdersOf(current.value).includes(nameOf(i))) return undefined;
    const next: Claim = { ...current.value, holders: [...holdersOf(current.value), nameOf(i)] };
    const replaced = await replaceStateBlob(access, claimPath(key), next, current.etag).catch((err: unknown) => {
      throw new Error(formatFailure(TYPE, nameOf(i), "claim the target", err, "Nothing was bound", secretsOf(i)));
    });
    if (replaced) return undefined;
    current = await readStateBlob<Claim>(access, claimPath(key));
  }
  // Gone meanwhile (its last holder was deleted): claim it afresh.
  await acquireClaim(i);
  return undefined;
}

/**
 * Releases the claim of `state`'s target if this stack still owns it (destroy, or a binding moved to another
 * trained model). `keep`: the inputs that live on; nothing is released when they claim the same target.
 * `onlyEtag`: release only the claim this very call created (a create that failed before its write).
 */
export async function releaseClaim(state: Partial<TrainedModelBindingInputs>, keep?: Partial<TrainedModelBindingInputs>, onlyEtag?: string): Promise<void> {
  if (!ready(state)) return;
  const key = bindingTargetKey(state)!;
  if (keep && bindingTargetKey(keep) === key) return;
  const access = storageOf(state);
  try {
    // Another resource of the stack may hold it too (a refactor): only this one's name leaves the holders.
    for (let attempt = 0; attempt < 5; attempt++) {
      const claim = await readStateBlob<Claim>(access, claimPath(key));
      if (!claim || claim.value.owner !== state.ownerStack || (onlyEtag && claim.etag !== onlyEtag)) return;
      const rest = holdersOf(claim.value).filter((h) => h !== nameOf(state));
      const done = rest.length === 0
        ? await deleteStateBlob(access, claimPath(key), claim.etag)
        : rest.length === holdersOf(claim.value).length || (await replaceStateBlob(access, claimPath(key), { ...claim.value, holders: rest }, claim.etag));
      if (done) return;
    }
  } catch (err) {
    // The account itself is gone (its name no longer resolves): so is the claim.
    if (isServiceError(err) && err.status === undefined && err.code === "ENOTFOUND") return;
    throw new Error(
      formatFailure(TYPE, nameOf(state), "release the target's ownership claim", err, `Run destroy again, or delete ${STATE_CONTAINER}/${claimPath(key)} by hand`, secretsOf(state)),
    );
  }
}

/**
 * Claims many targets (a RolloutWave's) before any of them is written: all or none. When one is refused or fails,
 * the claims this call created are released again and its error is thrown.
 */
export async function acquireClaims(targets: TrainedModelBindingInputs[]): Promise<void> {
  const results = await Promise.allSettled(targets.map((t) => acquireClaim(t)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (!failed) return;
  await Promise.all(results.map((r, k) => (r.status === "fulfilled" && r.value ? releaseClaim(targets[k], undefined, r.value).catch(() => undefined) : undefined)));
  throw failed.reason;
}
