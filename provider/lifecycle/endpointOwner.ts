/**
 * The owner marker of a ScoringEndpoint (issue 11): which stack's resource created an endpoint, written at the end
 * of its Description. The classic management API has no tags or labels; Description is the only free text PUT and
 * PATCH accept and GET returns (contract §1.4), so the marker lives and dies with the endpoint itself.
 *
 * When a crash loses a create after its PUT took effect, the endpoint exists but is not in state; the next create
 * of the same resource of the same stack finds its own marker and takes the endpoint over instead of refusing it
 * or sending a second PUT. An endpoint without a marker, or with another stack's or resource's, is still refused.
 */

/** `[pulumi:<stack>/<resource name, URI-encoded>]`, after a space, at the very end of the Description. */
const MARKER = /(?:^|\s)\[pulumi:([^\]\s]+)\]$/;

/** `<stack>/<resource name>`: who owns an endpoint; the stack as the class passes it (`owner`, resources/stackIdentity.ts). */
export function ownerOf(owner: string | undefined, resourceName: string | undefined): string | undefined {
  return owner && resourceName ? `${owner}/${encodeURIComponent(resourceName)}` : undefined;
}

export function markerText(owner: string): string {
  return `[pulumi:${owner}]`;
}

/** The Description to send: the user's text with the owner's marker appended (or the marker alone). */
export function withOwner(description: string | undefined, owner: string | undefined): string | undefined {
  if (!owner) return description;
  const text = stripOwner(description).description;
  return text ? `${text} ${markerText(owner)}` : markerText(owner);
}

/** The user's part of a Description and the owner its marker names, if any. */
export function stripOwner(description: string | undefined): { description: string | undefined; owner?: string } {
  if (description === undefined) return { description };
  const m = MARKER.exec(description);
  if (!m) return { description };
  return { description: description.slice(0, m.index).trimEnd(), owner: m[1] };
}

/** The owner as a user reads it: `<stack>, resource "name"`. */
export function describeOwner(owner: string): string {
  const cut = owner.lastIndexOf("/");
  if (cut <= 0) return owner;
  let name = owner.slice(cut + 1);
  try {
    name = decodeURIComponent(name);
  } catch {
    // Not ours to decode: show it as stored.
  }
  return `${owner.slice(0, cut)}, resource "${name}"`;
}
