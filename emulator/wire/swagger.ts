/** The swagger 2.0 document a service publishes (BES `swagger.json`, management `apidocument`; contract §2.6, M9). */
export interface SwaggerTarget {
  title: string;
  endpointName: string;
  endpointDescription: string;
  /** Execution base URL (ApiLocation). */
  apiLocation: string;
  inputs: string[];
  outputs: string[];
  featureColumns: string[];
}

export function serviceSwagger(t: SwaggerTarget): Record<string, unknown> {
  const url = new URL(t.apiLocation);
  const table = {
    type: "object",
    properties: { ColumnNames: { type: "array", items: { type: "string" } }, Values: { type: "array", items: { type: "array", items: { type: "string" } } } },
  };
  const blobReference = {
    type: "object",
    properties: { ConnectionString: { type: "string" }, RelativeLocation: { type: "string" }, BaseLocation: { type: "string" }, SasBlobToken: { type: "string" } },
  };
  const bearer = [{ "Authorization-Bearer": [] }];
  // Swagger 2.0 requires every `{name}` of a path to be declared as a path parameter (issue 19).
  const jobId = { name: "jobId", in: "path", required: true, type: "string", description: "The job id that submitjob answered." };
  const jobPath = (op: string, method: string, status: string, description: string) => ({
    [method]: { operationId: op, security: bearer, parameters: [jobId], responses: { [status]: { description } } },
  });
  return {
    swagger: "2.0",
    info: { title: t.title, version: "2.0", description: `${t.title} (emulated)`, "x-endpoint-name": t.endpointName, "x-endpoint-description": t.endpointDescription },
    host: url.host,
    basePath: url.pathname,
    schemes: [url.protocol.replace(":", "")],
    consumes: ["application/json"],
    produces: ["application/json"],
    securityDefinitions: { "Authorization-Bearer": { type: "apiKey", name: "Authorization", in: "header", description: "Bearer <endpoint key>" } },
    paths: {
      "/execute?api-version=2.0&format=swagger": {
        post: {
          operationId: "execute",
          security: bearer,
          parameters: [{ name: "body", in: "body", required: true, schema: { $ref: "#/definitions/ExecutionRequest" } }],
          responses: { "200": { description: "OK", schema: { $ref: "#/definitions/ExecutionResults" } } },
        },
      },
      "/jobs?api-version=2.0": {
        post: {
          operationId: "submitjob",
          security: bearer,
          parameters: [{ name: "body", in: "body", required: true, schema: { $ref: "#/definitions/BatchExecutionRequest" } }],
          responses: { "200": { description: "The job id", schema: { type: "string" } } },
        },
      },
      "/jobs/{jobId}/start?api-version=2.0": jobPath("startjob", "post", "204", "Started"),
      "/jobs/{jobId}?api-version=2.0": {
        ...jobPath("getjobstatus", "get", "200", "BatchExecutionStatus"),
        ...jobPath("canceljob", "delete", "204", "job successfully cancelled"),
      },
    },
    definitions: {
      ExecutionRequest: {
        type: "object",
        properties: {
          Inputs: {
            type: "object",
            properties: Object.fromEntries(
              t.inputs.map((name) => [name, { type: "array", items: { type: "object", properties: Object.fromEntries(t.featureColumns.map((c) => [c, { type: "string" }])) } }]),
            ),
          },
          GlobalParameters: { type: "object", properties: {} },
        },
      },
      ExecutionResults: { type: "object", properties: { Results: { type: "object", properties: Object.fromEntries(t.outputs.map((o) => [o, { type: "array", items: table }])) } } },
      BatchExecutionRequest: {
        type: "object",
        properties: {
          Inputs: { type: "object", properties: Object.fromEntries(t.inputs.map((i) => [i, blobReference])) },
          Outputs: { type: "object", properties: Object.fromEntries(t.outputs.map((o) => [o, blobReference])) },
          GlobalParameters: { type: "object", properties: {} },
        },
      },
      BatchExecutionStatus: {
        type: "object",
        properties: {
          StatusCode: { type: "string", enum: ["NotStarted", "Running", "Failed", "Cancelled", "Finished"] },
          Results: { type: "object", additionalProperties: blobReference },
          Details: { type: "string" },
        },
      },
    },
  };
}
