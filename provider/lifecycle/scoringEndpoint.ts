/**
 * ScoringEndpoint — an added (non-default) endpoint on a classic predictive web service (contract §1, M4–M8).
 */
import { CredentialConfig, withCredentials } from "./credentials";
import type * as pulumi from "@pulumi/pulumi";
import { ClassicCoordinates, DEFAULT_CLASSIC_REGION, EndpointInfo, defaultManagementBaseUrl, deleteEndpoint, endpointUrl, getEndpoint, getWebService, patchEndpoint, putEndpoint } from "../clients/management";
import { describeOwner, markerText, ownerOf, stripOwner, withOwner } from "./endpointOwner";
import { HttpSettings } from "../transport";
import { failure, formatFailure, initFailure, isServiceError } from "../errors";
import {
  DEFAULT_ENDPOINT_NAME,
  DESCRIPTION_MAX,
  InputFailure,
  MAX_CONCURRENT_CALLS,
  MAX_CONCURRENT_CALLS_LOW,
  THROTTLE_LEVELS,
  TRACE_LEVELS,
  changedFields,
  checkEndpointName,
  checkHex32,
  checkHttp,
  checkOneOf,
  checkRegion,
  checkRequired,
  checkUrl,
  isKnown,
  isUnknown,
  toCheckFailures,
  trimSlash,
  withoutUndefined,
} from "../validation";

const TYPE = "ScoringEndpoint";


/** Resolved inputs as the provider receives them (after check: defaults filled, URLs trimmed). */
export interface ScoringEndpointInputs {
  /** Credential field → stack config key; read, refresh and delete use the current value (credentials.ts). */
  credentialConfig?: CredentialConfig;
  /** The Pulumi resource name, set by the class, for error messages and the owner marker. */
  resourceName?: string;
  /** The stack (`<org>/<project>/<stack>`, resources/stackIdentity.ts), set by the class: with resourceName, the owner marker written into the endpoint's Description (endpointOwner.ts). */
  owner?: string;
  workspaceId: string;
  webServiceId: string;
  endpointName: string;
  workspaceToken: string;
  region: string;
  managementBaseUrl: string;
  description?: string;
  throttleLevel?: "Low" | "High";
  maxConcurrentCalls?: number;
  diagnosticsTraceLevel?: "None" | "Error" | "All";
  defaultEndpointName: string;
  adopt?: boolean;
  deleteOnDestroy?: boolean;
  http?: HttpSettings;
}

/** State: the inputs plus what the service reports. Fields added later must stay optional. */
export interface ScoringEndpointState extends ScoringEndpointInputs {
  /** Execution base URL (BES `/jobs`, RRS `/execute` are appended to it). */
  apiLocation: string;
  helpLocation?: string;
  /** The management URL that PATCH (Update Resource) targets — for Data Factory or scripts. */
  patchUrl: string;
  primaryKey?: string;
  secondaryKey?: string;
  /** Names of the endpoint's updatable trained-model resources (what a binding's trainedModelName must be). */
  trainedModelResourceNames: string[];
  /** True when the endpoint existed before and was taken over. */
  adopted: boolean;
}

const SETTINGS = ["description", "throttleLevel", "maxConcurrentCalls", "diagnosticsTraceLevel"] as const;
const REPLACE_ON = ["workspaceId", "webServiceId", "endpointName", "region"] as const;

/** Pure, offline checks; returns every failure and the normalised inputs. */
export function checkScoringEndpoint(news: Partial<ScoringEndpointInputs>): { inputs: ScoringEndpointInputs; failures: InputFailure[] } {
  const out: InputFailure[] = [];
  const region = news.region ?? DEFAULT_CLASSIC_REGION;
  const defaultEndpointName = news.defaultEndpointName ?? DEFAULT_ENDPOINT_NAME;
  checkHex32(out, "workspaceId", news.workspaceId, "workspace id");
  checkHex32(out, "webServiceId", news.webServiceId, "predictive web service id");
  checkEndpointName(out, "endpointName", news.endpointName, defaultEndpointName);
  checkRequired(out, "workspaceToken", news.workspaceToken, "Pass the workspace authorization token as a secret (config --secret)");
  checkRegion(out, "region", region);
  checkUrl(out, "managementBaseUrl", news.managementBaseUrl);
  checkOneOf(out, "throttleLevel", news.throttleLevel, THROTTLE_LEVELS, "Use Low or High (contract §1.4)");
  checkOneOf(out, "diagnosticsTraceLevel", news.diagnosticsTraceLevel, TRACE_LEVELS, "Use None, Error or All (contract §1.4)");
  const mcc = news.maxConcurrentCalls;
  if (mcc !== undefined && !isUnknown(mcc)) {
    if (typeof mcc !== "number" || !Number.isInteger(mcc) || mcc < 1 || mcc > MAX_CONCURRENT_CALLS) {
      out.push({ property: "maxConcurrentCalls", reason: `maxConcurrentCalls ${String(mcc)} is out of range`, fix: "Give an integer from 1 to 200 (contract §1.4)" });
    } else if ((news.throttleLevel ?? "Low") === "Low" && mcc > MAX_CONCURRENT_CALLS_LOW) {
      out.push({
        property: "maxConcurrentCalls",
        reason: `maxConcurrentCalls ${mcc} exceeds 4, the cap of throttleLevel Low`,
        fix: 'Set throttleLevel to "High" or maxConcurrentCalls to 4 or less (contract §1.5 M5)',
      });
    }
  }
  const owner = ownerOfInputs(news);
  // The owner marker shares the service's 2000 characters with the user's text.
  const descriptionMax = DESCRIPTION_MAX - (owner ? markerText(owner).length + 1 : 0);
  if (typeof news.description === "string" && news.description.length > descriptionMax) {
    out.push({
      property: "description",
      reason: `description has ${news.description.length} characters`,
      fix: `Keep it to ${descriptionMax} characters: the service takes 2000 (contract §1.4)${owner ? `, and the provider appends its ${markerText(owner).length + 1}-character owner marker` : ""}`,
    });
  }
  checkHttp(out, news.http);
  const base =
    news.managementBaseUrl === undefined ? defaultManagementBaseUrl(region) : isUnknown(news.managementBaseUrl) ? news.managementBaseUrl : trimSlash(news.managementBaseUrl);
  const inputs = { ...news, region, defaultEndpointName, managementBaseUrl: base } as ScoringEndpointInputs;
  return { inputs, failures: out };
}

/** Pure diff: replaces for identity fields, updates for settings and connection fields; ignores `__provider`. */
export function diffScoringEndpoint(olds: Partial<ScoringEndpointState>, news: ScoringEndpointInputs): pulumi.dynamic.DiffResult {
  const replaces = changedFields(olds, news, REPLACE_ON);
  const other = changedFields(olds, news, [...SETTINGS, "managementBaseUrl", "adopt", "deleteOnDestroy", "defaultEndpointName", "http"]);
  // Settings the program leaves unset keep whatever the service has: not a change.
  const changes = other.filter((f) => !(SETTINGS as readonly string[]).includes(f) || (news as unknown as Record<string, unknown>)[f] !== undefined);
  return { changes: replaces.length + changes.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 };
}

function nameOf(i: Partial<ScoringEndpointInputs>): string {
  return i.resourceName ?? i.endpointName ?? "endpoint";
}

function coordinates(i: ScoringEndpointInputs): ClassicCoordinates {
  return { managementBaseUrl: i.managementBaseUrl, workspaceId: i.workspaceId, webServiceId: i.webServiceId, token: i.workspaceToken, http: i.http };
}

/**
 * Read-only checks that need the service (zero writes): the workspace and web service exist in this region, the
 * target is not the default endpoint nor an endpoint of a training service, and the endpoint exists iff adopting.
 */
export async function preflightScoringEndpoint(i: ScoringEndpointInputs, name: string): Promise<InputFailure[]> {
  const c = coordinates(i);
  const out: InputFailure[] = [];
  try {
    const svc = await getWebService(c);
    const defaultName = svc?.defaultEndpointName ?? i.defaultEndpointName;
    if (defaultName === i.endpointName) {
      return [
        {
          property: "endpointName",
          reason: `"${i.endpointName}" is the default endpoint of web service ${i.webServiceId}, which cannot be updated`,
          fix: "Choose another name: the default endpoint is refreshed by re-publishing, not by retraining (contract §1.1, E5)",
        },
      ];
    }
    const def = await getEndpoint(c, defaultName);
    if (def && def.resources.length === 0) {
      out.push({
        property: "webServiceId",
        reason: `web service ${i.webServiceId}${svc?.name ? ` ("${svc.name}")` : ""} has no updatable resources: it is a training web service`,
        fix: "This Web Service has no updatable resources: add the endpoint to the predictive web service (\"[predictive exp.]\") instead (contract §1.6, E6)",
      });
      return out;
    }
    const existing = await getEndpoint(c, i.endpointName);
    // This resource's own endpoint (a create lost to a crash after its PUT) is taken over by create, not refused.
    if (existing && !i.adopt && !isOwn(i, existing)) {
      out.push(alreadyExists(i, existing));
    } else if (!existing && i.adopt) {
      out.push({ property: "adopt", reason: `adopt is true but there is no endpoint "${i.endpointName}" to adopt`, fix: "Check endpointName, or remove adopt to create the endpoint" });
    }
  } catch (err) {
    out.push({
      property: !isServiceError(err) ? "webServiceId" : err.status === undefined ? "managementBaseUrl" : err.status === 401 || err.status === 403 ? "workspaceToken" : err.code === "WorkspaceNotFound" ? "region" : "webServiceId",
      reason: formatFailure(TYPE, name, "preview read", err, undefined, [i.workspaceToken]),
      fix: "Nothing was written",
    });
  }
  return out;
}

function ownerOfInputs(i: Partial<ScoringEndpointInputs>): string | undefined {
  return ownerOf(i.owner, i.resourceName);
}

/** True when the endpoint carries this resource's owner marker: this stack's resource created it. */
function isOwn(i: Partial<ScoringEndpointInputs>, ep: EndpointInfo): boolean {
  const owner = ownerOfInputs(i);
  return owner !== undefined && stripOwner(ep.description).owner === owner;
}

function alreadyExists(i: ScoringEndpointInputs, ep: EndpointInfo): InputFailure {
  const other = stripOwner(ep.description).owner;
  return {
    property: "endpointName",
    reason: `endpoint "${i.endpointName}" already exists on web service ${i.webServiceId}${other ? ` (created by Pulumi stack ${describeOwner(other)})` : ""}`,
    fix: "Set adopt: true to take it over without re-creating it, or choose another name",
  };
}

/** The settings body; `owner` (an endpoint this stack created) keeps the owner marker at the end of Description. */
function settingsBody(i: Partial<ScoringEndpointInputs>, fields: readonly string[], owner?: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (fields.includes("description") && (i.description !== undefined || owner)) body.Description = withOwner(i.description, owner);
  if (fields.includes("throttleLevel") && i.throttleLevel !== undefined) body.ThrottleLevel = i.throttleLevel;
  if (fields.includes("maxConcurrentCalls") && i.maxConcurrentCalls !== undefined) body.MaxConcurrentCalls = i.maxConcurrentCalls;
  if (fields.includes("diagnosticsTraceLevel") && i.diagnosticsTraceLevel !== undefined) body.DiagnosticsTraceLevel = i.diagnosticsTraceLevel;
  return body;
}

function toState(i: ScoringEndpointInputs, ep: EndpointInfo, adopted: boolean): ScoringEndpointState {
  return {
    ...i,
    description: i.description ?? stripOwner(ep.description).description,
    throttleLevel: i.throttleLevel ?? (ep.throttleLevel as ScoringEndpointState["throttleLevel"]),
    maxConcurrentCalls: i.maxConcurrentCalls ?? ep.maxConcurrentCalls,
    diagnosticsTraceLevel: i.diagnosticsTraceLevel ?? (ep.diagnosticsTraceLevel as ScoringEndpointState["diagnosticsTraceLevel"]),
    apiLocation: ep.apiLocation ?? "",
    helpLocation: ep.helpLocation,
    patchUrl: endpointUrl(i.managementBaseUrl, i.workspaceId, i.webServiceId, i.endpointName),
    primaryKey: ep.primaryKey,
    secondaryKey: ep.secondaryKey,
    trainedModelResourceNames: ep.resources.map((r) => r.name),
    adopted,
  };
}


async function patchSettings(i: ScoringEndpointInputs, body: Record<string, unknown>): Promise<EndpointInfo | undefined> {
  return patchEndpoint(coordinates(i), i.endpointName, body);
}

/** Checked by the stub in resources/: raised when the calls it forwards change shape. */
export const API_VERSION = 1;

const lifecycle: pulumi.dynamic.ResourceProvider<ScoringEndpointInputs, ScoringEndpointState> = {
  async check(olds, news) {
    const { inputs, failures } = checkScoringEndpoint(news);
    // The engine calls no diff for a new resource, so preview-time reads for it happen here (zero writes).
    const isNew = !olds || Object.keys(olds).filter((k) => k !== "__provider").length === 0;
    if (failures.length === 0 && isNew && isKnown(inputs)) failures.push(...(await preflightScoringEndpoint(inputs, nameOf(inputs))));
    return { inputs, failures: toCheckFailures(failures) };
  },

  async diff(_id, olds, news) {
    const result = diffScoringEndpoint(olds, news);
    if (result.replaces && result.replaces.length > 0 && isKnown(news)) {
      const problems = await preflightScoringEndpoint({ ...news, adopt: news.adopt ?? false }, nameOf(news));
      if (problems.length > 0) throw new Error(toCheckFailures(problems).map((p) => `${TYPE} "${nameOf(news)}": ${p.property}: ${p.reason}`).join("\n"));
    }
    return result;
  },

  async create(inputs) {
    const c = coordinates(inputs);
    const id = `${inputs.workspaceId}/${inputs.webServiceId}/${inputs.endpointName}`;
    const secrets = [inputs.workspaceToken];
    const owner = ownerOfInputs(inputs);
    let existing: EndpointInfo | undefined;
    try {
      existing = await getEndpoint(c, inputs.endpointName);
    } catch (err) {
      throw failure(TYPE, nameOf(inputs), inputs.adopt ? "adopt endpoint (GET)" : "create endpoint: look for it first (GET)", err, undefined, secrets);
    }
    if (existing) {
      const own = isOwn(inputs, existing);
      if (!inputs.adopt && !own) {
        const f = toCheckFailures([alreadyExists(inputs, existing)])[0];
        throw new Error(`${TYPE} "${nameOf(inputs)}": create failed: ${f.property}: ${f.reason}`);
      }
      // Adopted, or this resource's own endpoint whose create a crash cut short: no PUT, only differing settings.
      let ep = existing;
      const differing = SETTINGS.filter((f) => inputs[f] !== undefined && inputs[f] !== (f === "description" ? stripOwner(ep.description).description : (ep as unknown as Record<string, unknown>)[f]));
      if (differing.length > 0) {
        try {
          ep = (await patchSettings(inputs, settingsBody(inputs, differing, own ? owner : undefined))) ?? (await getEndpoint(c, inputs.endpointName)) ?? ep;
        } catch (err) {
          throw failure(TYPE, nameOf(inputs), `${own ? "take over" : "adopt"} endpoint: apply settings (PATCH)`, err, undefined, secrets);
        }
      }
      // An endpoint this stack created stays ours (destroy deletes it), even when adopted by hand.
      return { id, outs: withoutUndefined(toState(inputs, ep, !own)) };
    }
    if (inputs.adopt) throw new Error(`${TYPE} "${nameOf(inputs)}": adopt failed: no such endpoint on web service ${inputs.webServiceId}. Check endpointName, or remove adopt to create it.`);
    const body = settingsBody(inputs, ["description", "throttleLevel", "maxConcurrentCalls"], owner);
    let ep: EndpointInfo | undefined;
    try {
      ep = await putEndpoint(coordinates(inputs), inputs.endpointName, body);
    } catch (err) {
      throw failure(TYPE, nameOf(inputs), "create endpoint (PUT)", err, undefined, secrets);
    }
    try {
      if (inputs.diagnosticsTraceLevel !== undefined && inputs.diagnosticsTraceLevel !== (ep?.diagnosticsTraceLevel ?? "None")) {
        ep = (await patchSettings(inputs, settingsBody(inputs, ["diagnosticsTraceLevel"]))) ?? undefined;
      }
      if (!ep || !ep.apiLocation) ep = await getEndpoint(c, inputs.endpointName);
      if (!ep) throw new Error("the endpoint is not readable after PUT");
    } catch (err) {
      // The endpoint exists now: tell the engine, so it is recorded instead of leaked.
      const e = failure(TYPE, nameOf(inputs), "create endpoint (read back)", err, "The endpoint was created; run up again to finish", secrets);
      throw initFailure(e, id, withoutUndefined(toState(inputs, { name: inputs.endpointName, resources: [] }, false)));
    }
    return { id, outs: withoutUndefined(toState(inputs, ep, false)) };
  },

  async read(id, props) {
    const state = props as ScoringEndpointState;
    let ep: EndpointInfo | undefined;
    try {
      ep = await getEndpoint(coordinates(state), state.endpointName);
    } catch (err) {
      throw failure(TYPE, nameOf(state), "refresh (GET endpoint)", err, undefined, [state.workspaceToken]);
    }
    if (!ep) return {};
    const next: ScoringEndpointState = withoutUndefined({
      ...state,
      description: ep.description !== undefined ? stripOwner(ep.description).description : state.description,
      throttleLevel: (ep.throttleLevel as ScoringEndpointState["throttleLevel"]) ?? state.throttleLevel,
      maxConcurrentCalls: ep.maxConcurrentCalls ?? state.maxConcurrentCalls,
      diagnosticsTraceLevel: (ep.diagnosticsTraceLevel as ScoringEndpointState["diagnosticsTraceLevel"]) ?? state.diagnosticsTraceLevel,
      apiLocation: ep.apiLocation ?? state.apiLocation,
      helpLocation: ep.helpLocation ?? state.helpLocation,
      primaryKey: ep.primaryKey ?? state.primaryKey,
      secondaryKey: ep.secondaryKey ?? state.secondaryKey,
      trainedModelResourceNames: ep.resources.map((r) => r.name),
    });
    return { id, props: next, inputs: inputsOf(next) as ScoringEndpointState };
  },

  async update(_id, olds, news) {
    const changed = changedFields(olds, news, SETTINGS).filter((f) => (news as unknown as Record<string, unknown>)[f] !== undefined);
    let ep: EndpointInfo | undefined;
    if (changed.length > 0) {
      try {
        ep = await patchSettings(news, settingsBody(news, changed, olds.adopted ? undefined : ownerOfInputs(news)));
      } catch (err) {
        throw failure(TYPE, nameOf(news), "update endpoint settings (PATCH)", err, undefined, [news.workspaceToken, olds.workspaceToken]);
      }
    }
    const base: EndpointInfo = ep ?? {
      name: news.endpointName,
      description: olds.description,
      apiLocation: olds.apiLocation,
      helpLocation: olds.helpLocation,
      primaryKey: olds.primaryKey,
      secondaryKey: olds.secondaryKey,
      throttleLevel: olds.throttleLevel,
      maxConcurrentCalls: olds.maxConcurrentCalls,
      diagnosticsTraceLevel: olds.diagnosticsTraceLevel,
      resources: (olds.trainedModelResourceNames ?? []).map((n) => ({ name: n })),
    };
    return { outs: withoutUndefined(toState(news, base, olds.adopted ?? false)) };
  },

  async delete(_id, props) {
    const state = props as ScoringEndpointState;
    const shouldDelete = state.deleteOnDestroy ?? !state.adopted;
    if (!shouldDelete) return;
    try {
      await deleteEndpoint(coordinates(state), state.endpointName);
    } catch (err) {
      throw failure(TYPE, nameOf(state), "delete endpoint (DELETE)", err, undefined, [state.workspaceToken]);
    }
  },
};

/** What the stub forwards to: the lifecycle with the current stack config's credentials applied. */
export const provider = withCredentials(lifecycle);

/** The input fields of a state (what read returns as `inputs`, so post-refresh diffs are honest). */
function inputsOf(s: ScoringEndpointState): ScoringEndpointInputs {
  const { apiLocation: _a, helpLocation: _h, patchUrl: _p, primaryKey: _k1, secondaryKey: _k2, trainedModelResourceNames: _r, adopted: _d, ...inputs } = s;
  return inputs;
}


/** The provider object, for tests that drive the lifecycle directly. */
export const scoringEndpointProvider = provider;
