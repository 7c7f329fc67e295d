/**
 * Classic management API (contract §1): web services and their endpoints, under `{url}/management/{region}`.
 * Authorization is checked first, then the region (E7), then the ids; what each step answers is in errors.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { authorizesWorkspace, generateId, generateKey } from "../auth";
import { blobClientFor, describeStorageError, joinBlobUrl, splitRelativeLocation, withoutQuery } from "../blobs";
import { EmulatorContext, classicApiLocation } from "../context";
import * as errors from "../errors";
import { ModelFormatError, ModelReadError, copyModel, rebind } from "../models";
import type { EndpointRecord, ResourceRecord, WebServiceRecord, WorkspaceRecord } from "../store";
import { canonicalBody } from "../wire/casing";
import {
  ADD_ENDPOINT_SCHEMA,
  ADD_ENDPOINT_SHAPE,
  AddEndpointRequest,
  CLASSIC_ID_PATTERN,
  ENDPOINT_NAME_PATTERN,
  Endpoint,
  PATCH_ENDPOINT_SCHEMA,
  PATCH_ENDPOINT_SHAPE,
  PatchEndpointRequest,
  REFRESH_ENDPOINT_SCHEMA,
  REFRESH_ENDPOINT_SHAPE,
  RefreshEndpointRequest,
  WebService,
} from "../wire/management";
import { serviceSwagger } from "../wire/swagger";

/** `Low` caps MaxConcurrentCalls at 4, `High` at 200 (contract §1.5 M5). */
export const LOW_THROTTLE_MAX_CALLS = 4;
export const DEFAULT_HIGH_MAX_CALLS = 20;
const STUDIO = "https://studio.azureml.net";

interface WsParams {
  region: string;
  ws: string;
}
interface SvcParams extends WsParams {
  svc: string;
}
interface EpParams extends SvcParams {
  ep: string;
}

export function toWireWebService(ctx: EmulatorContext, svc: WebServiceRecord): WebService {
  return {
    Id: svc.id,
    Name: svc.name,
    Description: svc.description,
    CreationTime: svc.createdAt,
    WorkspaceId: svc.workspaceId,
    DefaultEndpointName: svc.defaultEndpointName,
    EndpointCount: ctx.stores.classic.listEndpoints(svc.id).length,
  };
}

export function toWireEndpoint(ctx: EmulatorContext, ep: EndpointRecord, svc: WebServiceRecord, region: string): Endpoint {
  return {
    Name: ep.name,
    Description: ep.description,
    CreationTime: ep.createdAt,
    WorkspaceId: ep.workspaceId,
    WebServiceId: ep.webServiceId,
    HelpLocation: `${STUDIO}/apihelp/workspaces/${ep.workspaceId}/webservices/${ep.webServiceId}/endpoints/${ep.id}`,
    PrimaryKey: ep.primaryKey,
    SecondaryKey: ep.secondaryKey,
    ApiLocation: classicApiLocation(ctx, region, ep.workspaceId, ep.id),
    ExperimentLocation: `${STUDIO}/Home/ViewWorkspace/${ep.workspaceId}#Workspaces/Experiments/Experiment/${svc.experimentRunId}`,
    Version: ep.version,
    MaxConcurrentCalls: ep.maxConcurrentCalls,
    DiagnosticsTraceLevel: ep.diagnosticsTraceLevel,
    ThrottleLevel: ep.throttleLevel,
    PreventUpdate: ep.preventUpdate,
    SampleDataEnabled: ep.sampleDataEnabled,
    Resources: ep.resources.map((r) => ({ Name: r.name, Kind: "TrainedModel", Location: { ...r.location } })),
  };
}

export default async function managementRoutes(app: FastifyInstance, opts: { ctx: EmulatorContext }): Promise<void> {
  const { ctx } = opts;
  const classic = ctx.stores.classic;

  // A first, coarse check before the body is parsed: the token must belong to this workspace or to one of its
  // endpoints. Each handler then checks exactly (workspaceOf).
  app.addHook("onRequest", async (request) => {
    const ws = (request.params as Partial<WsParams>).ws;
    const c = request.credential;
    const ok =
      c?.kind === "workspace" ? c.workspaceId === ws : c?.kind === "endpoint" ? classic.getEndpointById(c.endpointId)?.workspaceId === ws : false;
    if (!ok) throw errors.managementRequestUnauthorized();
  });

  /** Auth, then region, for every route of this surface. */
  function workspaceOf(request: FastifyRequest, params: WsParams, endpointId?: string): WorkspaceRecord {
    if (!authorizesWorkspace(request.credential, params.ws, endpointId)) throw errors.managementRequestUnauthorized();
    const workspace = classic.getWorkspace(params.ws);
    if (!workspace || workspace.region !== params.region) throw errors.workspaceNotFound();
    return workspace;
  }

  function serviceOf(params: SvcParams): WebServiceRecord {
    if (!CLASSIC_ID_PATTERN.test(params.svc)) throw errors.webServiceIdInvalid();
    const svc = classic.getWebService(params.svc);
    if (!svc) throw errors.webServiceNotFound();
    if (svc.workspaceId !== params.ws) throw errors.webServiceIdNotFoundInWorkspace();
    return svc;
  }

  function endpointOf(svc: WebServiceRecord, name: string): EndpointRecord {
    const ep = classic.getEndpoint(svc.id, name);
    if (!ep) throw errors.endpointNotFound(name);
    return ep;
  }

  /** The endpoint an endpoint key belongs to, when it is the one in the URL (M4, M6 accept endpoint keys). */
  function keyedEndpointId(request: FastifyRequest, params: EpParams): string | undefined {
    const c = request.credential;
    if (c?.kind !== "endpoint") return undefined;
    const ep = classic.getEndpointById(c.endpointId);
    return ep && ep.workspaceId === params.ws && ep.webServiceId === params.svc && ep.name === params.ep ? ep.id : undefined;
  }

  function sendList<T>(reply: FastifyReply, items: T[]): FastifyReply {
    // 204 when the list is empty (contract §1.5 M1/M3).
    return items.length === 0 ? reply.code(204).send() : reply.send(items);
  }

  const wsRoute = { schema: { params: { type: "object", properties: { region: { type: "string" }, ws: { type: "string" } } } } };

  // M1
  app.get<{ Params: WsParams }>("/workspaces/:ws/webservices", wsRoute, async function listWebServices(request, reply) {
    workspaceOf(request, request.params);
    return sendList(reply, classic.listWebServices(request.params.ws).map((s) => toWireWebService(ctx, s)));
  });

  // M2
  app.get<{ Params: SvcParams }>("/workspaces/:ws/webservices/:svc", async function getWebService(request) {
    workspaceOf(request, request.params);
    return toWireWebService(ctx, serviceOf(request.params));
  });

  // M3
  app.get<{ Params: SvcParams }>("/workspaces/:ws/webservices/:svc/endpoints", async function listEndpoints(request, reply) {
    workspaceOf(request, request.params);
    const svc = serviceOf(request.params);
    return sendList(reply, classic.listEndpoints(svc.id).map((e) => toWireEndpoint(ctx, e, svc, request.params.region)));
  });

  // M4
  app.get<{ Params: EpParams }>("/workspaces/:ws/webservices/:svc/endpoints/:ep", async function getEndpoint(request) {
    workspaceOf(request, request.params, keyedEndpointId(request, request.params));
    const svc = serviceOf(request.params);
    return toWireEndpoint(ctx, endpointOf(svc, request.params.ep), svc, request.params.region);
  });

  // M5
  app.put<{ Params: EpParams; Body: AddEndpointRequest | undefined }>(
    "/workspaces/:ws/webservices/:svc/endpoints/:ep",
    { preValidation: canonicalBody(ADD_ENDPOINT_SHAPE), schema: { body: ADD_ENDPOINT_SCHEMA } },
    async function addEndpoint(request) {
      const { params } = request;
      const body = request.body ?? {};
      workspaceOf(request, params);
      const svc = serviceOf(params);
      if (!ENDPOINT_NAME_PATTERN.test(params.ep)) throw errors.invalidEndpointName(params.ep);
      const now = new Date().toISOString();
      const existing = classic.getEndpoint(svc.id, params.ep);
      // Emulator choice (contract §1.5 M5): a PUT to an existing name updates description and throttling only.
      const ep: EndpointRecord = existing ?? {
        id: generateId(),
        name: params.ep,
        workspaceId: svc.workspaceId,
        webServiceId: svc.id,
        description: "",
        createdAt: now,
        version: now,
        primaryKey: generateKey(),
        secondaryKey: generateKey(),
        maxConcurrentCalls: LOW_THROTTLE_MAX_CALLS,
        throttleLevel: "Low",
        diagnosticsTraceLevel: "None",
        preventUpdate: false,
        sampleDataEnabled: false,
        // A new endpoint starts with the default endpoint's trained models (contract §1.1).
        resources: copyResources(classic.getEndpoint(svc.id, svc.defaultEndpointName)?.resources ?? []),
      };
      if (body.Description !== undefined) ep.description = body.Description;
      if (body.PreventUpdate !== undefined) ep.preventUpdate = body.PreventUpdate;
      applyThrottling(ep, body.ThrottleLevel ?? (existing ? undefined : "Low"), body.MaxConcurrentCalls);
      classic.putEndpoint(ep);
      return toWireEndpoint(ctx, ep, svc, params.region);
    },
  );

  // M6 — the retrain rebinding call.
  app.patch<{ Params: EpParams; Body: PatchEndpointRequest | undefined }>(
    "/workspaces/:ws/webservices/:svc/endpoints/:ep",
    { preValidation: canonicalBody(PATCH_ENDPOINT_SHAPE), schema: { body: PATCH_ENDPOINT_SCHEMA } },
    async function patchEndpoint(request) {
      const { params } = request;
      const body = request.body ?? {};
      workspaceOf(request, params, keyedEndpointId(request, params));
      const svc = serviceOf(params);
      const ep = endpointOf(svc, params.ep);
      if (ep.name === svc.defaultEndpointName) throw errors.defaultEndpointNotUpdatable();

      const updates: Array<{ target: ResourceRecord; location: ResourceRecord["location"] }> = [];
      if (body.Resources && body.Resources.length > 0) {
        if (svc.kind === "training" || ep.resources.length === 0) throw errors.noUpdatableResources();
        for (const resource of body.Resources) {
          // Matching is case-insensitive: documented names vary in the suffix's capitalisation (contract §1.5 M6).
          const target = ep.resources.find((r) => r.name.toLowerCase() === resource.Name.toLowerCase());
          if (!target) throw errors.notAnUpdatableResource(resource.Name, ep.resources.map((r) => r.name));
          const location = {
            BaseLocation: resource.Location.BaseLocation ?? "",
            RelativeLocation: resource.Location.RelativeLocation ?? "",
            SasBlobToken: resource.Location.SasBlobToken ?? "",
          };
          updates.push({ target, location });
        }
      }

      // Read every model before changing anything, so a failed PATCH leaves the endpoint as it was.
      const bound = [];
      for (const { target, location } of updates) {
        const reference = joinBlobUrl(location.BaseLocation, location.RelativeLocation);
        if (!/\.ilearner$/i.test(location.RelativeLocation.split("?")[0])) throw errors.resourceBlobExtension(withoutQuery(reference));
        const parts = splitRelativeLocation(location.RelativeLocation);
        if (!parts) throw errors.modelBlobUnreadable(withoutQuery(reference), "RelativeLocation is not container/path");
        try {
          const client = blobClientFor({ relativeLocation: location.RelativeLocation, baseLocation: location.BaseLocation, sasBlobToken: location.SasBlobToken });
          const model = await copyModel(client, `${parts.container}/${parts.blobName}`, ctx.stores.models);
          bound.push({ target, location, model });
        } catch (err) {
          if (err instanceof ModelFormatError) throw errors.invalidModelBlob(withoutQuery(reference), err.message);
          throw errors.modelBlobUnreadable(withoutQuery(reference), describeStorageError(err instanceof ModelReadError ? err.cause : err));
        }
      }

      const now = new Date();
      for (const { target, location, model } of bound) {
        Object.assign(target, { location }, rebind(target, model, ctx.options.modelSwapDelayMs, now.getTime()));
      }
      if (bound.length > 0) ep.version = now.toISOString();
      if (body.Description !== undefined) ep.description = body.Description;
      if (body.DiagnosticsTraceLevel !== undefined) ep.diagnosticsTraceLevel = body.DiagnosticsTraceLevel;
      if (body.ThrottleLevel !== undefined || body.MaxConcurrentCalls !== undefined) applyThrottling(ep, body.ThrottleLevel, body.MaxConcurrentCalls);
      classic.putEndpoint(ep);
      request.log.info({ endpoint: ep.name, models: bound.map((b) => b.model.location) }, "endpoint patched");
      return toWireEndpoint(ctx, ep, svc, params.region);
    },
  );

  // M7
  app.post<{ Params: EpParams; Body: RefreshEndpointRequest | undefined }>(
    "/workspaces/:ws/webservices/:svc/endpoints/:ep/refresh",
    // Clients refresh with no body at all, which means OverwriteResources false (issue 12).
    { preValidation: [async (request: { body: unknown }) => void (request.body ??= {}), canonicalBody(REFRESH_ENDPOINT_SHAPE)], schema: { body: REFRESH_ENDPOINT_SCHEMA } },
    async function refreshEndpoint(request, reply) {
      const { params } = request;
      workspaceOf(request, params);
      const svc = serviceOf(params);
      const ep = endpointOf(svc, params.ep);
      if (ep.name === svc.defaultEndpointName) throw errors.defaultEndpointNotRefreshable();
      const overwrite = String(request.body?.OverwriteResources ?? "false").toLowerCase() === "true";
      const defaults = classic.getEndpoint(svc.id, svc.defaultEndpointName)?.resources ?? [];
      const changed =
        overwrite && defaults.some((d) => ep.resources.find((r) => r.name === d.name)?.model.hash !== d.model.hash);
      // The graph never changes in the emulator, so only an overwrite of differing models is a change (304 otherwise).
      if (!changed) return reply.code(304).send();
      ep.resources = copyResources(defaults);
      ep.version = new Date().toISOString();
      classic.putEndpoint(ep);
      return toWireEndpoint(ctx, ep, svc, params.region);
    },
  );

  // M8
  app.delete<{ Params: EpParams }>("/workspaces/:ws/webservices/:svc/endpoints/:ep", async function deleteEndpoint(request, reply) {
    const { params } = request;
    workspaceOf(request, params);
    const svc = serviceOf(params);
    const ep = endpointOf(svc, params.ep);
    if (ep.name === svc.defaultEndpointName) throw errors.defaultEndpointNotDeletable(classic.listEndpoints(svc.id).length > 1);
    classic.deleteEndpoint(svc.id, ep.name);
    return reply.code(204).send();
  });

  // M9 — `{epId}` here is the endpoint's service id, not its name (contract §1.4).
  app.get<{ Params: SvcParams & { epId: string } }>(
    "/workspaces/:ws/webservices/:svc/endpoints/:epId/apidocument",
    async function getApiDocument(request) {
      const { params } = request;
      const ep = classic.getEndpointById(params.epId);
      workspaceOf(request, params, ep?.id);
      const svc = serviceOf(params);
      if (!ep || ep.webServiceId !== svc.id) throw errors.endpointNotFound(params.epId);
      return serviceSwagger({
        title: svc.name,
        endpointName: ep.name,
        endpointDescription: ep.description,
        apiLocation: classicApiLocation(ctx, params.region, ep.workspaceId, ep.id),
        inputs: svc.inputs,
        outputs: svc.outputs.map((o) => o.name),
        featureColumns: svc.inputColumns,
      });
    },
  );
}

function copyResources(resources: ResourceRecord[]): ResourceRecord[] {
  return resources.map((r) => ({ name: r.name, location: { ...r.location }, model: { ...r.model } }));
}

/** `Low` caps at 4 and ignores a supplied value; `High` accepts 1–200 (contract §1.5 M5). */
function applyThrottling(ep: EndpointRecord, level: "Low" | "High" | undefined, maxCalls: number | undefined): void {
  if (level) ep.throttleLevel = level;
  if (ep.throttleLevel === "Low") ep.maxConcurrentCalls = LOW_THROTTLE_MAX_CALLS;
  else ep.maxConcurrentCalls = maxCalls ?? (level === "High" && ep.maxConcurrentCalls <= LOW_THROTTLE_MAX_CALLS ? DEFAULT_HIGH_MAX_CALLS : ep.maxConcurrentCalls);
}
