#!/usr/bin/env node
/**
 * azureml-retrain-review: the promotion review of a stack, as Markdown and JSON.
 *
 *   azureml-retrain-review --stack dev [--cwd <project>] [--md review.md] [--json review.json] [--refresh]
 *
 * Prints the Markdown unless --md names a file. Exit 0 when the preview succeeded, 2 when a gate refused a
 * promotion, 1 when the preview failed otherwise, 64 on bad arguments. The CLI is the `pulumi` on PATH; backend
 * and secrets come from the usual PULUMI_* variables.
 */
import * as fs from "fs";
import * as path from "path";
import { renderMarkdown } from "./render";
import { reviewStack } from "./run";

const USAGE = "usage: azureml-retrain-review --stack <name> [--cwd <project folder>] [--md <file>] [--json <file>] [--refresh]";

function parse(argv: string[]): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--refresh" || a === "--help" || a === "-h") out[a.replace(/^-+/, "")] = true;
    else if (["--stack", "--cwd", "--md", "--json"].includes(a) && argv[i + 1] !== undefined) out[a.slice(2)] = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

async function main(): Promise<number> {
  let args: Record<string, string | boolean>;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 64;
  }
  if (args.help || args.h) {
    console.log(USAGE);
    return 0;
  }
  const stackName = (args.stack as string | undefined) ?? process.env.PULUMI_STACK;
  if (!stackName) {
    console.error(`--stack is required (or set PULUMI_STACK)\n${USAGE}`);
    return 64;
  }
  const review = await reviewStack({ workDir: path.resolve((args.cwd as string | undefined) ?? "."), stackName, refresh: args.refresh === true });
  const markdown = renderMarkdown(review);
  if (typeof args.md === "string") fs.writeFileSync(args.md, `${markdown}\n`);
  else process.stdout.write(`${markdown}\n`);
  if (typeof args.json === "string") fs.writeFileSync(args.json, `${JSON.stringify(review, null, 2)}\n`);
  console.error(review.summary);
  return review.counts.refused > 0 ? 2 : review.preview === "failed" ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`azureml-retrain-review failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
