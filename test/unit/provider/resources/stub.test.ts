/**
 * The stub as the provider process loads it: its serialized text, evaluated from a folder, resolves the
 * implementation by package name there — and says what to do when the package is missing or too old.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { stubProvider } from "../../../../provider/resources/stub";

/**
 * Loads the serialized stub the way the dynamic-provider server does (require-from-string, no file name, so
 * packages resolve from the working directory; then `configure`), in a node process started in `dir`, and calls
 * `check`.
 */
async function checkThroughStubIn(dir: string): Promise<{ ok?: unknown; error?: string }> {
  const text = (await pulumi.runtime.serializeFunction(() => stubProvider("trainedModelBinding"))).text;
  fs.writeFileSync(path.join(dir, "stub.js"), text);
  const runner = `
    const p = require(${JSON.stringify(require.resolve("require-from-string"))})(require("fs").readFileSync("stub.js", "utf8")).handler();
    p.configure({ config: { get: () => undefined } }).then(() => p.check({}, { a: 1 })).then((ok) => console.log(JSON.stringify({ ok })), (e) => console.log(JSON.stringify({ error: e.message })));`;
  return JSON.parse(execFileSync(process.execPath, ["-e", runner], { cwd: dir, encoding: "utf8" }));
}

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "stub-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test("without the package where the program runs, every call says to install it", async () => {
  const { error } = await checkThroughStubIn(dir);
  expect(error).toMatch(/^pulumi-azureml-retrain \(provider API 1 or newer\) is not installed where the Pulumi program runs \(.*\): run npm install pulumi-azureml-retrain there$/);
});

test("an installed package older than the stub's provider API is refused with the same advice", async () => {
  const pkg = path.join(dir, "node_modules", "pulumi-azureml-retrain");
  fs.mkdirSync(path.join(pkg, "lifecycle"), { recursive: true });
  fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "pulumi-azureml-retrain", version: "0.0.1" }));
  fs.writeFileSync(path.join(pkg, "lifecycle", "trainedModelBinding.js"), "exports.provider = { async check() { return {}; } };");
  expect((await checkThroughStubIn(dir)).error).toMatch(/provider API 1 or newer.*run npm install pulumi-azureml-retrain/);
});

test("a current package gets the call, with its own classes intact", async () => {
  const pkg = path.join(dir, "node_modules", "pulumi-azureml-retrain");
  fs.mkdirSync(path.join(pkg, "lifecycle"), { recursive: true });
  fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "pulumi-azureml-retrain", version: "9.0.0" }));
  fs.writeFileSync(
    path.join(pkg, "lifecycle", "trainedModelBinding.js"),
    "class E extends Error {}; exports.API_VERSION = 1; exports.provider = { async check(o, n) { return { inputs: n, isClass: new E() instanceof E }; } };",
  );
  expect(await checkThroughStubIn(dir)).toEqual({ ok: { inputs: { a: 1 }, isClass: true } });
});
