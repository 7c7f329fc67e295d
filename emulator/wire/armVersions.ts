/**
 * The two api-versions of `Microsoft.MachineLearning/webServices` (contract §4, and Microsoft's published
 * descriptions `stable/2017-01-01/webservices.json` and `preview/2016-05-01-preview/webservices.json`). What differs
 * for a client of this emulator (issue 19):
 * - a parameter value — in `properties.parameters` and in a graph node's `parameters` — is a plain string in
 *   2016-05-01-preview and a `{ value, certificateThumbprint? }` object in 2017-01-01;
 * - 2016-05-01-preview has no `payloadsInBlobStorage` / `payloadsLocation`, and its PATCH body, like its PUT body,
 *   must carry `location` and `properties` (its `Resource` requires `location`, its `WebService` `properties`).
 * The emulator stores the 2017-01-01 form; requests are brought in and responses projected out per version.
 */
import type { WebServiceProperties } from "./arm";

export const ARM_STABLE_VERSION = "2017-01-01";
export const ARM_PREVIEW_VERSION = "2016-05-01-preview";
export const ARM_API_VERSIONS = [ARM_STABLE_VERSION, ARM_PREVIEW_VERSION];
export type ArmApiVersion = typeof ARM_STABLE_VERSION | typeof ARM_PREVIEW_VERSION;

export interface WebServiceParameter {
  value?: unknown;
  certificateThumbprint?: string;
}

type ParameterMap = Record<string, unknown>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Stored (2017-01-01) form of one value, whichever form it came in (also what older emulator data holds). */
function stored(v: unknown): WebServiceParameter {
  return isRecord(v) ? (v as WebServiceParameter) : { value: v };
}

/** The preview's string form of one value: the value itself; an encrypted value loses its thumbprint there. */
function asString(v: unknown): string {
  const value = isRecord(v) ? v.value : v;
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function mapValues(map: unknown, f: (v: unknown) => unknown): ParameterMap | undefined {
  if (!isRecord(map)) return map as undefined;
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, f(v)]));
}

function mapNodeParameters(pkg: unknown, f: (v: unknown) => unknown): unknown {
  if (!isRecord(pkg) || !isRecord(pkg.nodes)) return pkg;
  const nodes = Object.fromEntries(
    Object.entries(pkg.nodes).map(([id, node]) => [id, isRecord(node) && node.parameters !== undefined ? { ...node, parameters: mapValues(node.parameters, f) } : node]),
  );
  return { ...pkg, nodes };
}

function mapParameters(p: WebServiceProperties, f: (v: unknown) => unknown): WebServiceProperties {
  const out: WebServiceProperties = { ...p };
  if (p.parameters !== undefined) out.parameters = mapValues(p.parameters, f);
  if (p.package !== undefined) out.package = mapNodeParameters(p.package, f);
  return out;
}

/** A validated request's properties in the stored (2017-01-01) form. */
export function propertiesIn(p: WebServiceProperties, version: string): WebServiceProperties {
  return version === ARM_PREVIEW_VERSION ? mapParameters(p, stored) : p;
}

/** Stored properties as `version` spells them. */
export function propertiesOut(p: WebServiceProperties, version: string): WebServiceProperties {
  if (version !== ARM_PREVIEW_VERSION) return mapParameters(p, stored);
  const { payloadsInBlobStorage: _b, payloadsLocation: _l, ...rest } = mapParameters(p, asString);
  return rest as WebServiceProperties;
}

// --- request schemas per version (JSON Schema, checked after casing is canonicalised) ----------------------------

const STABLE_PARAMETER = {
  type: "object",
  properties: { value: {}, certificateThumbprint: { type: "string" } },
  additionalProperties: false,
};
const PREVIEW_PARAMETER = { type: "string" };

/** GraphPackage: `graphParameters` entries require `type` and `links`, each link `nodeId` and `parameterKey`. */
function graphPackage(parameter: object) {
  return {
    type: "object",
    properties: {
      nodes: {
        type: "object",
        additionalProperties: {
          type: "object",
          properties: {
            assetId: { type: "string" },
            inputId: { type: "string" },
            outputId: { type: "string" },
            parameters: { type: "object", additionalProperties: parameter },
          },
        },
      },
      edges: {
        type: "array",
        items: {
          type: "object",
          properties: { sourceNodeId: { type: "string" }, sourcePortId: { type: "string" }, targetNodeId: { type: "string" }, targetPortId: { type: "string" } },
        },
      },
      graphParameters: {
        type: "object",
        additionalProperties: {
          type: "object",
          required: ["type", "links"],
          properties: {
            description: { type: "string" },
            type: {
              type: "string",
              enum: ["String", "Int", "Float", "Enumerated", "Script", "Mode", "Credential", "Boolean", "Double", "ColumnPicker", "ParameterRange", "DataGatewayName"],
            },
            links: {
              type: "array",
              items: { type: "object", required: ["nodeId", "parameterKey"], properties: { nodeId: { type: "string" }, parameterKey: { type: "string" } } },
            },
          },
        },
      },
    },
  };
}

/** The version-specific part of `properties`; the rest is the shared schema in wire/arm.ts. */
export function versionedProperties(version: string): Record<string, unknown> {
  const parameter = version === ARM_PREVIEW_VERSION ? PREVIEW_PARAMETER : STABLE_PARAMETER;
  return { parameters: { type: "object", additionalProperties: parameter }, package: graphPackage(parameter) };
}
