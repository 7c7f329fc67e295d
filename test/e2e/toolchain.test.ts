/** The project's toolchain script provides the three executables the engine needs, at the pinned version. */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { pulumiBinDir } from "../../scripts/services/pulumiEnv";

const pinned = require("@pulumi/pulumi/package.json").version as string;

test("pulumi, the nodejs language host and the dynamic-provider launcher resolve through scripts/pulumi-toolchain.sh", () => {
  const bin = pulumiBinDir();
  for (const exe of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]) {
    expect(fs.statSync(path.join(bin, exe)).mode & 0o111).not.toBe(0);
  }
  const version = execFileSync(path.join(bin, "pulumi"), ["version"], { env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" }, encoding: "utf8" });
  expect(version.trim()).toBe(`v${pinned}`);
});

test("a second run of the toolchain script uses the cached build", () => {
  const root = path.resolve(__dirname, "..", "..");
  const run = spawnSync("bash", [path.join(root, "scripts", "pulumi-toolchain.sh")], { encoding: "utf8" });
  expect(run.status).toBe(0);
  expect(run.stdout.trim().split("\n").pop()).toBe(pulumiBinDir());
  // Either our stamped build or a recent enough pulumi already on PATH; never a rebuild.
  expect(run.stderr).toMatch(/\[pulumi-toolchain\] (cached: cli=|using pulumi )/);
  expect(run.stderr).not.toMatch(/building pulumi/);
});
