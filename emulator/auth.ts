/**
 * Authentication: an ordered list of checks, each answering with the credential a bearer token is (pass), or
 * undefined (not mine, try the next). Order: workspace authorization tokens, endpoint keys (classic endpoints, then
 * ARM web services), the static ARM/AAD token. A token nobody claims authenticates nothing, and each route then
 * answers its surface's 401 (errors.ts). Routes decide what a credential may do (`authorizes*` below).
 *
 * Keys and tokens are never logged: the logger redacts the Authorization header and handlers never print tokens.
 */
import { randomBytes } from "crypto";
import type { Credential, Stores } from "./store";

/** 64 random bytes in base64: 88 characters, the shape of real endpoint keys (contract §1.4). */
export function generateKey(): string {
  return randomBytes(64).toString("base64");
}

/** 32 lowercase hex characters: classic ids (contract conventions). */
export function generateId(): string {
  return randomBytes(16).toString("hex");
}

/** A dashed GUID (ARM subscription ids, pipeline endpoint ids). */
export function generateGuid(): string {
  const h = randomBytes(16).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive; `Token` accepted for pipelines, §5.2). */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^(?:bearer|token)\s+(.+)$/i.exec(authorization.trim());
  return match ? match[1].trim() : undefined;
}

export type AuthCheck = (token: string) => Credential | undefined;

export function authChecks(stores: Stores): AuthCheck[] {
  return [
    // Workspace tokens and classic endpoint keys share one index in the classic store.
    (token) => stores.classic.findCredential(token),
    (token) => {
      const service = stores.arm.findServiceByKey(token);
      return service ? { kind: "armService", serviceKey: service.key } : undefined;
    },
    (token) => (token === stores.meta.get()?.armToken ? { kind: "arm" } : undefined),
  ];
}

export function authenticate(checks: AuthCheck[], authorization: string | undefined): Credential | undefined {
  const token = bearerToken(authorization);
  if (!token) return undefined;
  for (const check of checks) {
    const credential = check(token);
    if (credential) return credential;
  }
  return undefined;
}

/** Management calls: the workspace's token, or (where the contract allows it) the endpoint's own key. */
export function authorizesWorkspace(credential: Credential | undefined, workspaceId: string, endpointId?: string): boolean {
  if (!credential) return false;
  if (credential.kind === "workspace") return credential.workspaceId === workspaceId;
  return endpointId !== undefined && credential.kind === "endpoint" && credential.endpointId === endpointId;
}

/** Execution calls (BES, RRS): that endpoint's or that ARM web service's key. */
export function authorizesExecution(credential: Credential | undefined, target: { endpointId?: string; armServiceKey?: string }): boolean {
  if (!credential) return false;
  if (credential.kind === "endpoint") return credential.endpointId === target.endpointId;
  if (credential.kind === "armService") return credential.serviceKey === target.armServiceKey;
  return false;
}

/** ARM and pipeline calls: the static AAD token. */
export function authorizesArm(credential: Credential | undefined): boolean {
  return credential?.kind === "arm";
}
