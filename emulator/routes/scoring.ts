/**
 * Request-Response Service (contract §3): `POST {ApiLocation}/execute`, table form (`details=true`) and record form
 * (`format=swagger`). Scores with the model currently bound to the endpoint, held in memory: no storage access and
 * no logging on this path. Concurrency above the endpoint's MaxConcurrentCalls is refused with 503 RequestThrottled.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { EmulatorContext } from "../context";
import * as errors from "../errors";
import { DatasetError } from "../ml";
import { servingModel } from "../models";
import { executionTarget } from "./batch";
import { API_VERSION_QUERY } from "../wire/batch";
import { canonicalize } from "../wire/casing";
import { Cell, SCORED_LABELS, SCORED_PROBABILITIES, SCORE_REQUEST_SCHEMA, TABLE_INPUT_SHAPE, TableInput, TableOutput } from "../wire/scoring";

export const MODEL_LOCATION_HEADER = "x-ms-azureml-model-location";
export const MODEL_ETAG_HEADER = "x-ms-azureml-model-etag";

type Query = { "api-version"?: string; details?: string; format?: string };


function columnType(values: Cell[][], column: number): string {
  let type = "Int32";
  for (const row of values) {
    const v = row[column];
    if (v === null || v === undefined || v === "" || v === "?") continue;
    const n = typeof v === "number" ? v : Number(v);
    if (typeof v === "boolean" || !Number.isFinite(n)) return "String";
    if (!Number.isInteger(n)) type = "Double";
  }
  return type;
}

const text = (v: Cell | undefined): string | null => (v === null || v === undefined ? null : String(v));

export default async function scoringRoutes(app: FastifyInstance, opts: { ctx: EmulatorContext }): Promise<void> {
  const { ctx } = opts;
  const inFlight = new Map<string, number>();

  /**
   * Runs before body parsing, so requests overlapping in parsing, injected latency or scoring all count against
   * MaxConcurrentCalls (E22). The count drops when the response closes, however it ends.
   */
  async function admit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const target = executionTarget(ctx, request);
    const current = inFlight.get(target.id) ?? 0;
    if (current >= target.maxConcurrentCalls) throw errors.requestThrottled(target.name, target.maxConcurrentCalls);
    inFlight.set(target.id, current + 1);
    let released = false;
    reply.raw.once("close", () => {
      if (released) return;
      released = true;
      inFlight.set(target.id, (inFlight.get(target.id) ?? 1) - 1);
    });
    request.executionTarget = target;
  }

  // R1, R2
  app.post<{ Querystring: Query; Body: { Inputs: Record<string, unknown>; GlobalParameters?: Record<string, unknown> } }>(
    "/execute",
    { onRequest: admit, schema: { querystring: API_VERSION_QUERY, body: SCORE_REQUEST_SCHEMA } },
    async function execute(request, reply) {
      const target = request.executionTarget!;
      if (target.kind !== "predictive" || !target.binding) throw errors.noTrainedModelBound();
      const inputName = target.inputs[0];
      const outputName = target.outputs[0]?.name ?? "output1";
      const { Inputs, GlobalParameters } = request.body;
      const unknown = Object.keys(Inputs).filter((n) => n !== inputName);
      if (unknown.length) throw errors.invalidInputNames(unknown, target.inputs);
      if (!(inputName in Inputs)) throw errors.missingRequestInput(inputName);
      for (const name of Object.keys(GlobalParameters ?? {})) throw errors.unexpectedParameter(name);

      const bound = servingModel(target.binding);
      const model = ctx.stores.models.load(bound.hash);
      if (!model) throw errors.executionInternalError(request.id);

      const isRecords = request.query.format === "swagger";
      let records: Array<Record<string, Cell>>;
      let table: TableInput | undefined;
      if (isRecords) {
        const raw = Inputs[inputName];
        if (!Array.isArray(raw) || raw.some((r) => !r || typeof r !== "object" || Array.isArray(r))) {
          throw errors.inputMismatchError(`Inputs.${inputName} must be an array of records (format=swagger).`);
        }
        records = raw as Array<Record<string, Cell>>;
      } else {
        table = canonicalize(Inputs[inputName], TABLE_INPUT_SHAPE) as TableInput;
        if (!table || !Array.isArray(table.ColumnNames) || !Array.isArray(table.Values)) {
          throw errors.inputMismatchError(`Inputs.${inputName} must have ColumnNames and Values.`);
        }
        const width = table.ColumnNames.length;
        records = table.Values.map((row, i) => {
          if (!Array.isArray(row) || row.length !== width) {
            throw errors.inputMismatchError(`Row ${i + 1} has ${Array.isArray(row) ? row.length : 0} values but ColumnNames has ${width}.`);
          }
          const record: Record<string, Cell> = {};
          for (let c = 0; c < width; c++) record[table!.ColumnNames[c]] = row[c];
          return record;
        });
      }

      let scored;
      try {
        // JSON booleans reach the model as text: a numeric column rejects them, a categorical one sees an unknown value.
        scored = model.score(records as Array<Record<string, string | number | null>>);
      } catch (err) {
        if (err instanceof DatasetError) throw errors.inputParseError(err.message);
        throw err;
      }

      reply.header(MODEL_LOCATION_HEADER, bound.location).header(MODEL_ETAG_HEADER, bound.etag);
      if (isRecords) {
        const rows = records.map((record, i) => {
          const out: Record<string, string | null> = {};
          for (const [k, v] of Object.entries(record)) out[k] = text(v);
          out[SCORED_LABELS] = scored[i].label;
          out[SCORED_PROBABILITIES] = String(scored[i].probability);
          return out;
        });
        return { Results: { [outputName]: rows } };
      }
      const t = table!;
      const values = t.Values.map((row, i) => [...row.map(text), scored[i].label, String(scored[i].probability)]);
      const value: TableOutput["value"] =
        request.query.details === "true"
          ? {
              ColumnNames: [...t.ColumnNames, SCORED_LABELS, SCORED_PROBABILITIES],
              ColumnTypes: [...t.ColumnNames.map((_, c) => columnType(t.Values, c)), "String", "Double"],
              Values: values,
            }
          : { Values: values };
      const output: TableOutput = { type: "table", value };
      return { Results: { [outputName]: output } };
    },
  );
}
