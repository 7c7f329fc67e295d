#!/usr/bin/env node
/**
 * `azureml-retrain-audit`: a target's last N promotions from the audit blobs (provider/audit.ts), or, without
 * --target, every audited target. The storage key comes from the environment only, never from an argument
 * (arguments show in process lists and shell history).
 */
import { parseArgs } from "node:util";
import { formatPromotion, listAuditedTargets, listPromotions } from "../audit";
import type { StorageAccess } from "../clients/storage";
import { redact } from "../errors";

const USAGE = `usage: azureml-retrain-audit [--target <key>] [--last N] [--json] [--account <name>] [--blob-endpoint <url>]

Lists the promotions TrainedModelBindings recorded in azureml-retrain/audit/ of a storage account, newest first.
Without --target: every audited target and the time of its last promotion.

Storage: AZURE_STORAGE_CONNECTION_STRING, or --account (or AZURE_STORAGE_ACCOUNT) with AZURE_STORAGE_KEY.`;

/** Account, key and endpoint from a connection string (`AccountName=…;AccountKey=…;BlobEndpoint=…`). */
export function accessFromConnectionString(cs: string): StorageAccess {
  const parts = new Map<string, string>();
  for (const kv of cs.split(";")) {
    const i = kv.indexOf("=");
    if (i > 0) parts.set(kv.slice(0, i).trim().toLowerCase(), kv.slice(i + 1).trim());
  }
  const accountName = parts.get("accountname");
  if (!accountName || !parts.get("accountkey")) throw new Error("AZURE_STORAGE_CONNECTION_STRING needs AccountName and AccountKey");
  const suffix = parts.get("endpointsuffix");
  const protocol = parts.get("defaultendpointsprotocol") ?? "https";
  const blobEndpoint = parts.get("blobendpoint") ?? (suffix ? `${protocol}://${accountName}.blob.${suffix}/` : undefined);
  return { accountName, accountKey: parts.get("accountkey"), blobEndpoint };
}

export function accessFromEnv(flags: { account?: string; blobEndpoint?: string }, env: NodeJS.ProcessEnv = process.env): StorageAccess {
  if (env.AZURE_STORAGE_CONNECTION_STRING && !flags.account) {
    const access = accessFromConnectionString(env.AZURE_STORAGE_CONNECTION_STRING);
    return flags.blobEndpoint ? { ...access, blobEndpoint: flags.blobEndpoint } : access;
  }
  const accountName = flags.account ?? env.AZURE_STORAGE_ACCOUNT;
  if (!accountName) throw new Error("no storage account: set AZURE_STORAGE_CONNECTION_STRING, or pass --account with AZURE_STORAGE_KEY set");
  if (!env.AZURE_STORAGE_KEY) throw new Error(`no key for storage account ${accountName}: set AZURE_STORAGE_KEY (or AZURE_STORAGE_CONNECTION_STRING)`);
  return { accountName, accountKey: env.AZURE_STORAGE_KEY, blobEndpoint: flags.blobEndpoint };
}

export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: "string" },
      last: { type: "string", default: "10" },
      json: { type: "boolean", default: false },
      account: { type: "string" },
      "blob-endpoint": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const last = Number(values.last);
  if (!Number.isInteger(last) || last < 1) throw new Error(`--last ${values.last} is not a positive whole number`);
  const access = accessFromEnv({ account: values.account, blobEndpoint: values["blob-endpoint"] });
  if (!values.target) {
    const targets = await listAuditedTargets(access);
    if (values.json) targets.forEach((t) => out(JSON.stringify(t)));
    else if (targets.length === 0) out(`no promotions recorded in storage account ${access.accountName}`);
    else targets.forEach((t) => out(`${t.lastPromotion}  ${t.target}`));
    return 0;
  }
  const records = await listPromotions(access, values.target, last);
  if (values.json) records.forEach((r) => out(JSON.stringify(r)));
  else if (records.length === 0) out(`no promotions recorded for ${values.target}`);
  else {
    out(`last ${records.length} promotion${records.length === 1 ? "" : "s"} of ${values.target}, newest first:`);
    records.forEach((r) => out(formatPromotion(r)));
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(`azureml-retrain-audit: ${redact(err.message, [process.env.AZURE_STORAGE_KEY])}`);
      process.exit(1);
    },
  );
}
