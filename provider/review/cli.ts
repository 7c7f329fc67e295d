#!/usr/bin/env node
/**
 * azureml-retrain-review: the promotion review of a stack, as Markdown and JSON.
 *
 *   azureml-retrain-review --stack dev [--cwd <project>] [--md review.md] [--json review.json] [--refresh]
 *                          [--save-plan plan.json]
 *
 * Prints the Markdown unless --md names a file; the report is written whatever happened, a preview that could
 * not run included. Exit 0 when the preview succeeded, 2 when a gate refused a promotion, 1 when the preview
 * failed otherwise, 64 on bad arguments. --save-plan keeps the update plan for `pulumi up --plan` (only when the
 * review succeeded). The CLI is the `pulumi` on PATH; backend and secrets come from the usual PULUMI_* variables.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { commandArgs } from "../cli/commandArgs";
import { renderMarkdown } from "./render";
import { reviewStack } from "./run";

const USAGE = "usage: azureml-retrain-review --stack <name> [--cwd <project folder>] [--md <file>] [--json <file>] [--refresh] [--save-plan <file>]";

function parse(argv: string[]): Record<string, string | boolean | undefined> {
  return parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      cwd: { type: "string" },
      md: { type: "string" },
      json: { type: "string" },
      "save-plan": { type: "string" },
      refresh: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }).values;
}

async function main(): Promise<number> {
  const args = commandArgs(() => parse(process.argv.slice(2)), USAGE);
  if (typeof args === "number") return args;
  const stackName = (args.stack as string | undefined) ?? process.env.PULUMI_STACK;
  if (!stackName) {
    console.error(`--stack is required (or set PULUMI_STACK)\n${USAGE}`);
    return 64;
  }
  const savePlan = args["save-plan"] as string | undefined;
  const review = await reviewStack({
    workDir: path.resolve((args.cwd as string | undefined) ?? "."),
    stackName,
    refresh: args.refresh === true,
    ...(savePlan ? { savePlan: path.resolve(savePlan) } : {}),
  });
  const markdown = renderMarkdown(review);
  if (typeof args.md === "string") fs.writeFileSync(args.md, `${markdown}\n`);
  else process.stdout.write(`${markdown}\n`);
  if (typeof args.json === "string") fs.writeFileSync(args.json, `${JSON.stringify(review, null, 2)}\n`);
  console.error(review.summary);
  for (const e of review.errors) console.error(`preview failed: ${e}`);
  return review.counts.refused > 0 ? 2 : review.preview === "failed" ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`azureml-retrain-review failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
