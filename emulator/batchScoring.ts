/**
 * Batch scoring: a BES job on a predictive web service (classic services offered it beside RRS, issue 12). Reads the
 * input CSV, whose header names the service's input columns, scores every row with the model bound when the job
 * started, and writes the input columns followed by `Scored Labels` and `Scored Probabilities` (the columns RRS
 * returns, contract §3.4). Cells are written exactly as RRS writes them, so a row scores the same on both paths.
 * Failures come back as the text a job's `Details` carries.
 */
import type { BlockBlobClient } from "@azure/storage-blob";
import { describeStorageError, writeBlob } from "./blobs";
import { DatasetError, TrainedModel } from "./ml";
import type { BlobReference } from "./store";
import { TrainingOutcome, readInputDataset } from "./training";
import { SCORED_LABELS, SCORED_PROBABILITIES } from "./wire/scoring";

export interface BatchScoringRun {
  input: BlockBlobClient;
  /** How the failure detail names the input, e.g. `input1 (scoring/census.csv)`. */
  inputDescription: string;
  model: TrainedModel;
  output: BlobReference;
}

export interface ScoringTable {
  columns: string[];
  rows: string[][];
}

/** Splits like the ML core's dataset reader (plain commas, no quoting); the header row is required. */
export function parseScoringCsv(text: string): ScoringTable {
  let columns: string[] | undefined;
  const rows: string[][] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith("\r") ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === "") continue;
    const fields = line.split(",").map((f) => f.trim());
    if (!columns) {
      columns = fields;
      continue;
    }
    if (fields.length !== columns.length) {
      throw new DatasetError(`Line ${i + 1}: expected ${columns.length} comma-separated values (one per header column) but found ${fields.length}. Use ? for an unknown value.`);
    }
    rows.push(fields);
  }
  if (!columns) throw new DatasetError("The input dataset is empty. Provide a header row naming the input columns, then one row per record to score.");
  if (rows.length === 0) throw new DatasetError("The input dataset has a header but no rows to score.");
  return { columns, rows };
}

/** RFC 4180 quoting where a cell needs it, so any input value survives the round trip. */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function scoredCsv(table: ScoringTable, model: TrainedModel): string {
  const records = table.rows.map((row) => Object.fromEntries(table.columns.map((c, j) => [c, row[j]])));
  const scored = model.score(records);
  const lines = [[...table.columns, SCORED_LABELS, SCORED_PROBABILITIES]];
  table.rows.forEach((row, i) => lines.push([...row, scored[i].label, String(scored[i].probability)]));
  return lines.map((cells) => cells.map(csvCell).join(",")).join("\n") + "\n";
}

export async function runBatchScoring(run: BatchScoringRun): Promise<TrainingOutcome> {
  const input = await readInputDataset(run.input, run.inputDescription);
  if (!input.ok) return input;
  const csv = input.csv;
  let output: string;
  try {
    output = scoredCsv(parseScoringCsv(csv), run.model);
  } catch (err) {
    // The message names the line or row and column; passed on unchanged, as training does.
    if (err instanceof DatasetError) return { ok: false, details: `${run.inputDescription}: ${err.message}` };
    throw err;
  }
  try {
    await writeBlob(run.output, output, "text/csv");
  } catch (err) {
    return { ok: false, details: `Error 0030: Unable to write the output ${run.output.relativeLocation.replace(/^\/+/, "")}: ${describeStorageError(err)}.` };
  }
  return { ok: true };
}
