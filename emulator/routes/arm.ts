/**
 * ARM `Microsoft.MachineLearning/webServices` (contract §4), under `{url}/arm`. PUT and PATCH answer at once with
 * provisioningState Provisioning and an Azure-AsyncOperation URL; the trained-model assets they change are read with
 * the service's storage account key (or the asset's `locationInfo.credentials`) and, after armProvisioningDelayMs,
 * the operation ends Succeeded (RRS now scores with the new model) or Failed with errorInfo (RRS keeps the old one).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { authorizesArm, generateId, generateKey } from "../auth";
import { blobClientForUri, blobClientForUriWithConnectionString, containerPathOfUrl, describeStorageError, withoutQuery } from "../blobs";
import { EmulatorContext, armApiLocation } from "../context";
import * as errors from "../errors";
import { ModelFormatError, ModelReadError, copyModel, rebind } from "../models";
import type { ArmBinding, ArmServiceRecord, AsyncOperationRecord, BoundModel } from "../store";
import {
  ARM_API_VERSIONS,
  ARM_RESOURCE_TYPE,
  AssetItem,
  AsyncOperationStatus,
  WEB_SERVICE_SHAPE,
  WebServiceProperties,
  WebServiceResource,
  regionOfLocation,
  webServiceBodySchema,
} from "../wire/arm";
import { propertiesIn, propertiesOut } from "../wire/armVersions";
import { canonicalBody } from "../wire/casing";

const PROVIDER = "Microsoft.MachineLearning";
const RG_PREFIX = `/subscriptions/:sub/resourceGroups/:rg/providers/${PROVIDER}/webServices`;
const RETRY_AFTER_SECONDS = "1";
/** A service that does not exist has no location for its delete operation's URL (emulator choice). */
const DELETE_LOCATION_OF_ABSENT_SERVICE = "global";

interface ServiceParams {
  sub: string;
  rg: string;
  name: string;
}
type Query = { "api-version"?: string; region?: string; $skiptoken?: string };

export const isTrainedModelAsset = (asset: AssetItem | undefined): boolean =>
  !!asset && asset.type === "Resource" && /\[trained model\]$/i.test(asset.name ?? "");

export const serviceKey = (sub: string, rg: string, name: string): string => `${sub}/${rg}/${name}`.toLowerCase();

export function resourceId(sub: string, rg: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/${ARM_RESOURCE_TYPE}/${name}`;
}

/**
 * The resource as GET returns it under `version`: never keys, never storageAccount.key (contract §4.2); the
 * swagger location is the execution host's `swagger.json`, usable as it is (issue 19).
 */
export function renderService(ctx: EmulatorContext, s: ArmServiceRecord, version: string): WebServiceResource {
  const region = regionOfLocation(s.resource.location);
  const { keys: _keys, ...properties } = propertiesOut(s.resource.properties, version);
  return {
    ...s.resource,
    id: resourceId(s.subscriptionId, s.resourceGroup, s.name),
    name: s.name,
    type: ARM_RESOURCE_TYPE,
    properties: {
      ...properties,
      storageAccount: properties.storageAccount ? { name: properties.storageAccount.name } : undefined,
      swaggerLocation: `${armApiLocation(ctx, region, s.subscriptionId, s.serviceId)}/swagger.json`,
    } as WebServiceProperties,
  };
}

function renderSparse(ctx: EmulatorContext, s: ArmServiceRecord, version: string): WebServiceResource {
  const full = renderService(ctx, s, version);
  const p = full.properties;
  return {
    id: full.id,
    name: full.name,
    type: full.type,
    location: full.location,
    tags: full.tags,
    properties: {
      packageType: p.packageType,
      title: p.title,
      description: p.description,
      createdOn: p.createdOn,
      modifiedOn: p.modifiedOn,
      provisioningState: p.provisioningState,
      readOnly: p.readOnly,
      swaggerLocation: p.swaggerLocation,
    },
  };
}

/** A failed operation carries `error` beside the RP's own `errorInfo`: ARM clients read the former (issue 19). */
function renderOperation(o: AsyncOperationRecord): AsyncOperationStatus {
  const { resourceKey: _r, location: _l, subscriptionId: _s, ...status } = o;
  return status.errorInfo ? { ...status, error: status.errorInfo } : status;
}

const BODY_SCHEMAS = {
  PUT: Object.fromEntries(ARM_API_VERSIONS.map((v) => [v, webServiceBodySchema("PUT", v)])),
  PATCH: Object.fromEntries(ARM_API_VERSIONS.map((v) => [v, webServiceBodySchema("PATCH", v)])),
};

/** Validates the (canonically cased) body against its api-version's schema; the route schema cannot vary by query. */
function versionedBody(method: "PUT" | "PATCH") {
  return async (request: FastifyRequest): Promise<void> => {
    const schema = BODY_SCHEMAS[method][versionOf(request)];
    const validate = request.compileValidationSchema(schema, "body");
    if (validate(request.body)) return;
    const first = validate.errors?.[0];
    throw errors.armInvalidRequestContent(first ? `body${first.instancePath} ${first.message}` : "body is invalid");
  };
}

const versionOf = (request: FastifyRequest): string => (request.query as Query)["api-version"]!;

export default async function armRoutes(app: FastifyInstance, opts: { ctx: EmulatorContext }): Promise<void> {
  const { ctx } = opts;
  const store = ctx.stores.arm;

  /** Auth (E13), then api-version, for every route of this surface. */
  app.addHook("onRequest", async (request: FastifyRequest) => {
    if (!authorizesArm(request.credential)) throw request.headers.authorization ? errors.armInvalidToken() : errors.armMissingAuthorization();
    const version = (request.query as Query)["api-version"];
    if (!version) throw errors.armMissingApiVersion();
    if (!ARM_API_VERSIONS.includes(version)) throw errors.armUnsupportedApiVersion(version, ARM_API_VERSIONS);
  });

  function serviceOf(params: ServiceParams): ArmServiceRecord {
    const s = store.getService(serviceKey(params.sub, params.rg, params.name));
    if (!s) throw errors.armResourceNotFound(params.name, params.rg);
    return s;
  }

  function operationUrl(op: AsyncOperationRecord): string {
    return `${ctx.baseUrl}/arm/subscriptions/${op.subscriptionId}/providers/${PROVIDER}/locations/${op.location}/operationsStatus/${op.name}?api-version=${ARM_API_VERSIONS[0]}`;
  }

  function newOperation(s: Pick<ArmServiceRecord, "key" | "subscriptionId">, displayLocation: string): AsyncOperationRecord {
    const name = generateId();
    const location = displayLocation.replace(/\s+/g, "").toLowerCase();
    const op: AsyncOperationRecord = {
      id: `/subscriptions/${s.subscriptionId}/providers/${PROVIDER}/locations/${location}/operationsStatus/${name}`,
      name,
      status: "Provisioning",
      provisioningState: "Provisioning",
      startTime: new Date().toISOString(),
      percentComplete: 0,
      resourceKey: s.key,
      location,
      subscriptionId: s.subscriptionId,
    };
    store.putOperation(op);
    return op;
  }

  const succeeded = (op: AsyncOperationRecord): AsyncOperationRecord => {
    const done = { ...op, status: "Succeeded" as const, provisioningState: "Succeeded" as const, endTime: new Date().toISOString(), percentComplete: 100 };
    store.putOperation(done);
    return done;
  };

  function sendAccepted(reply: FastifyReply, status: number, op: AsyncOperationRecord, body: unknown): FastifyReply {
    return reply.code(status).header("Azure-AsyncOperation", operationUrl(op)).header("Retry-After", RETRY_AFTER_SECONDS).send(body);
  }

  /** Reads the changed trained-model assets, then ends the operation after the provisioning delay. */
  function provision(s: ArmServiceRecord, op: AsyncOperationRecord, assetIds: string[]): void {
    const startedMs = Date.now();
    const work = async (): Promise<void> => {
      const read: Record<string, BoundModel> = {};
      let failure: AsyncOperationStatus["errorInfo"];
      for (const assetId of assetIds) {
        const asset = s.resource.properties.assets![assetId];
        const uri = asset.locationInfo.uri;
        try {
          const client = asset.locationInfo.credentials
            ? blobClientForUriWithConnectionString(uri, asset.locationInfo.credentials)
            : s.resource.properties.storageAccount?.name && s.storageAccountKey
              ? blobClientForUri(uri, s.resource.properties.storageAccount.name, s.storageAccountKey)
              : undefined;
          if (!client) throw new ModelReadError(new Error("NoCredentials: the web service has no storageAccount {name, key} and the asset no locationInfo.credentials"));
          read[assetId] = await copyModel(client, containerPathOfUrl(uri, s.resource.properties.storageAccount?.name), ctx.stores.models);
        } catch (err) {
          const detail =
            err instanceof ModelFormatError ? { code: "InvalidBlob", message: err.message } : { code: "BlobNotFound", message: describeStorageError(err instanceof ModelReadError ? err.cause : err) };
          failure = {
            code: "UpdateWebServiceResourceFailed",
            message: `Unable to use the trained model '${asset.name}' (asset ${assetId}) at ${withoutQuery(uri)}: ${detail.message}`,
            target: `properties.assets.${assetId}.locationInfo.uri`,
            details: [detail],
          };
          break;
        }
      }
      const remaining = Math.max(0, startedMs + ctx.options.armProvisioningDelayMs - Date.now());
      ctx.scheduler.after(remaining, () => finishProvisioning(s.key, op.name, read, failure));
    };
    void ctx.scheduler.track(work());
  }

  function finishProvisioning(key: string, opName: string, read: Record<string, BoundModel>, failure: AsyncOperationStatus["errorInfo"]): void {
    const op = store.getOperation(opName);
    const s = store.getService(key);
    const state = failure ? "Failed" : "Succeeded";
    if (op) store.putOperation({ ...op, status: state, provisioningState: state, endTime: new Date().toISOString(), percentComplete: 100, ...(failure ? { errorInfo: failure } : {}) });
    if (!s) return;
    const assets = s.resource.properties.assets ?? {};
    if (!failure) {
      const now = Date.now();
      for (const [assetId, model] of Object.entries(read)) {
        const asset = assets[assetId];
        const binding: ArmBinding = { assetId, name: asset.name, uri: asset.locationInfo.uri, ...rebind(s.bindings[assetId], model, ctx.options.modelSwapDelayMs, now) };
        s.bindings[assetId] = binding;
      }
      for (const assetId of Object.keys(s.bindings)) if (!isTrainedModelAsset(assets[assetId])) delete s.bindings[assetId];
    }
    s.resource.properties.provisioningState = state;
    store.putService(s);
  }

  /** Trained-model assets whose location changed (all of them for a new service). */
  function changedModelAssets(before: ArmServiceRecord | undefined, assets: Record<string, AssetItem> | undefined): string[] {
    return Object.entries(assets ?? {})
      .filter(([id, a]) => isTrainedModelAsset(a))
      .filter(([id, a]) => {
        const old = before?.bindings[id];
        return !old || old.uri !== a.locationInfo.uri || !!a.locationInfo.credentials;
      })
      .map(([id]) => id);
  }

  // A1
  app.get<{ Params: ServiceParams; Querystring: Query }>(`${RG_PREFIX}/:name`, async function getWebService(request) {
    return renderService(ctx, serviceOf(request.params), versionOf(request));
  });

  // A2
  app.put<{ Params: ServiceParams; Querystring: Query; Body: WebServiceResource }>(
    `${RG_PREFIX}/:name`,
    { preValidation: [canonicalBody(WEB_SERVICE_SHAPE), versionedBody("PUT")] },
    async function createOrUpdateWebService(request, reply) {
      const { sub, rg, name } = request.params;
      const key = serviceKey(sub, rg, name);
      const existing = store.getService(key);
      if (existing?.resource.properties.readOnly) throw errors.armReadOnly(existing.name);
      const body = request.body;
      const now = new Date().toISOString();
      const { keys, storageAccount, ...properties } = writableProperties(propertiesIn(body.properties, versionOf(request)));
      const record: ArmServiceRecord = {
        key,
        subscriptionId: existing?.subscriptionId ?? sub,
        resourceGroup: existing?.resourceGroup ?? rg,
        name: existing?.name ?? name,
        serviceId: existing?.serviceId ?? generateId(),
        resource: {
          location: body.location,
          tags: body.tags ?? {},
          properties: {
            ...properties,
            storageAccount: storageAccount?.name ? { name: storageAccount.name } : undefined,
            createdOn: existing?.resource.properties.createdOn ?? now,
            modifiedOn: now,
            provisioningState: "Provisioning",
          },
        },
        keys: { primary: keys?.primary ?? existing?.keys.primary ?? generateKey(), secondary: keys?.secondary ?? existing?.keys.secondary ?? generateKey() },
        storageAccountKey: storageAccount?.key ?? existing?.storageAccountKey,
        bindings: existing?.bindings ?? {},
      };
      store.putService(record);
      const op = newOperation(record, record.resource.location);
      provision(record, op, changedModelAssets(existing, record.resource.properties.assets));
      return sendAccepted(reply, existing ? 200 : 201, op, renderService(ctx, record, versionOf(request)));
    },
  );

  // A3 — each property given replaces the stored one, except `assets`, merged by asset id (emulator choice, §4.8).
  app.patch<{ Params: ServiceParams; Querystring: Query; Body: Partial<WebServiceResource> }>(
    `${RG_PREFIX}/:name`,
    { preValidation: [canonicalBody(WEB_SERVICE_SHAPE), versionedBody("PATCH")] },
    async function patchWebService(request, reply) {
      const s = serviceOf(request.params);
      if (s.resource.properties.readOnly) throw errors.armReadOnly(s.name);
      const body = request.body ?? {};
      const before: ArmServiceRecord = { ...s, bindings: { ...s.bindings } };
      const { keys, storageAccount, assets, ...properties } = writableProperties(propertiesIn(body.properties ?? ({} as WebServiceProperties), versionOf(request)));
      if (body.location) s.resource.location = body.location;
      if (body.tags) s.resource.tags = body.tags;
      Object.assign(s.resource.properties, properties);
      if (assets) s.resource.properties.assets = { ...(s.resource.properties.assets ?? {}), ...assets };
      if (keys) s.keys = { primary: keys.primary ?? s.keys.primary, secondary: keys.secondary ?? s.keys.secondary };
      if (storageAccount) {
        s.resource.properties.storageAccount = { name: storageAccount.name ?? s.resource.properties.storageAccount?.name };
        if (storageAccount.key) s.storageAccountKey = storageAccount.key;
      }
      s.resource.properties.modifiedOn = new Date().toISOString();
      s.resource.properties.provisioningState = "Provisioning";
      store.putService(s);
      const op = newOperation(s, s.resource.location);
      provision(s, op, changedModelAssets(before, assets));
      return sendAccepted(reply, 200, op, renderService(ctx, s, versionOf(request)));
    },
  );

  // A4 — 202, also when the service does not exist (E25), with a polling header: ARM clients poll every 202 and fail
  // without one (Microsoft's node SDK: "Location header is missing from long running operation", issue 12). The
  // service is gone at once, so the operation has already Succeeded; Location names the same status document.
  app.delete<{ Params: ServiceParams; Querystring: Query }>(`${RG_PREFIX}/:name`, async function deleteWebService(request, reply) {
    const { sub, rg, name } = request.params;
    const key = serviceKey(sub, rg, name);
    const existing = store.getService(key);
    store.deleteService(key);
    const op = succeeded(newOperation({ key, subscriptionId: existing?.subscriptionId ?? sub }, existing?.resource.location ?? DELETE_LOCATION_OF_ABSENT_SERVICE));
    return sendAccepted(reply.header("Location", operationUrl(op)), 202, op, undefined);
  });

  // A5 — a GET, not the usual ARM POST (contract §4.6).
  app.get<{ Params: ServiceParams; Querystring: Query }>(`${RG_PREFIX}/:name/listKeys`, async function listKeys(request) {
    const s = serviceOf(request.params);
    return { primary: s.keys.primary, secondary: s.keys.secondary };
  });

  // A6 — nothing to copy in one emulator; the operation succeeds at once.
  app.post<{ Params: ServiceParams; Querystring: Query }>(`${RG_PREFIX}/:name/CreateRegionalBlob`, async function createRegionalProperties(request, reply) {
    const s = serviceOf(request.params);
    if (!request.query.region) throw errors.armBadRequest("The region query parameter is required.");
    const done = succeeded(newOperation(s, s.resource.location));
    return sendAccepted(reply, 202, done, undefined);
  });

  // A7 — every service fits in one page, so there is no nextLink.
  app.get<{ Params: { sub: string; rg: string }; Querystring: Query }>(RG_PREFIX, async function listByResourceGroup(request) {
    return { value: store.listServices(request.params.sub, request.params.rg).map((s) => renderSparse(ctx, s, versionOf(request))) };
  });

  // A8
  app.get<{ Params: { sub: string }; Querystring: Query }>(`/subscriptions/:sub/providers/${PROVIDER}/webServices`, async function listBySubscription(request) {
    return { value: store.listServices(request.params.sub).map((s) => renderSparse(ctx, s, versionOf(request))) };
  });

  // A9
  app.get(`/providers/${PROVIDER}/operations`, async function listOperations() {
    const op = (name: string, operation: string, description: string) => ({
      name: `${PROVIDER}/${name}`,
      display: { provider: "Microsoft Machine Learning", resource: "Web Service", operation, description },
    });
    return {
      value: [
        op("webServices/read", "Read Web Service", "Reads a web service definition."),
        op("webServices/write", "Write Web Service", "Creates or updates a web service."),
        op("webServices/delete", "Delete Web Service", "Deletes a web service."),
        op("webServices/listKeys/read", "List Web Service Keys", "Lists the keys of a web service."),
        op("webServices/CreateRegionalBlob/action", "Create Regional Properties", "Creates the regional properties of a web service."),
        op("locations/operationsStatus/read", "Read Operation Status", "Reads the status of an asynchronous operation."),
      ],
    };
  });

  // A10
  app.get<{ Params: { sub: string; location: string; opId: string }; Querystring: Query }>(
    `/subscriptions/:sub/providers/${PROVIDER}/locations/:location/operationsStatus/:opId`,
    async function getOperationStatus(request, reply) {
      const op = store.getOperation(request.params.opId);
      if (!op || op.subscriptionId.toLowerCase() !== request.params.sub.toLowerCase()) throw errors.armOperationNotFound(request.params.opId);
      if (op.status === "Provisioning") reply.header("Retry-After", RETRY_AFTER_SECONDS);
      return renderOperation(op);
    },
  );
}

/** Drops read-only properties a client may echo from a GET (the PowerShell export/import flow, §4.8). */
function writableProperties(p: WebServiceProperties): WebServiceProperties {
  const { createdOn: _c, modifiedOn: _m, provisioningState: _p, swaggerLocation: _s, ...rest } = p;
  return rest as WebServiceProperties;
}

/** At start-up: provisioning that was under way when the emulator stopped cannot finish. */
export function failInterruptedOperations(ctx: EmulatorContext): void {
  for (const op of ctx.stores.arm.listOperations()) {
    if (op.status !== "Provisioning") continue;
    const errorInfo = { code: "InternalError", message: "The emulator restarted while the operation was running; send the request again." };
    ctx.stores.arm.putOperation({ ...op, status: "Failed", provisioningState: "Failed", endTime: new Date().toISOString(), percentComplete: 100, errorInfo });
    const s = ctx.stores.arm.getService(op.resourceKey);
    if (s && s.resource.properties.provisioningState === "Provisioning") {
      s.resource.properties.provisioningState = "Failed";
      ctx.stores.arm.putService(s);
    }
  }
}
