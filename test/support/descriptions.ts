/**
 * Checks against Microsoft's published API descriptions (issue 19): the emulator's answers against JSON Schemas
 * written from them (test/integration/emulator/descriptions, each naming its source), with Ajv; its swagger documents
 * against the Swagger 2.0 specification, with @apidevtools/swagger-parser (the validator code generators rely on).
 */
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import SwaggerParser from "@apidevtools/swagger-parser";

const DESCRIPTIONS_DIR = path.join(__dirname, "..", "integration", "emulator", "descriptions");

let ajv: Ajv | undefined;
function validator(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  addFormats(ajv);
  for (const file of fs.readdirSync(DESCRIPTIONS_DIR).filter((f) => f.endsWith(".schema.json"))) {
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(DESCRIPTIONS_DIR, file), "utf8")));
  }
  return ajv;
}

/**
 * Where `value` departs from the schema at `ref` (e.g. `webservices.2017-01-01#/definitions/WebService`), one line
 * per departure: `[]` when it conforms. Tests compare with `[]` so a failure names every departure.
 */
export function schemaDepartures(ref: string, value: unknown): string[] {
  const validate = validator().getSchema(ref);
  if (!validate) throw new Error(`no schema ${ref} under ${DESCRIPTIONS_DIR}`);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);
}

/** The Swagger 2.0 validator's complaint about `document`, or `undefined` when it is valid. */
export async function swaggerComplaint(document: unknown): Promise<string | undefined> {
  try {
    // The parser dereferences in place; validate a copy so the caller keeps what the emulator sent.
    await SwaggerParser.validate(structuredClone(document) as never);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
