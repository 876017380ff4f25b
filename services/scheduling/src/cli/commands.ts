import type { Connection } from 'mongoose';
import { issueApiKey, revokeApiKey } from '../organizations/api-keys.js';
import { organizationModels } from '../organizations/models.js';
import { createOrganization } from '../organizations/organizations.js';

const USAGE = `usage:
  cadence org create --name <name>
  cadence org list
  cadence key create --org <orgId> [--name <label>]
  cadence key list --org <orgId>
  cadence key revoke <keyId>`;

export interface CliOptions {
  name?: string | undefined;
  org?: string | undefined;
  json?: boolean | undefined;
}

/** Runs one CLI command; returns the exit code. */
export async function runCommand(
  conn: Connection,
  args: string[],
  opts: CliOptions,
  out: (line: string) => void,
): Promise<number> {
  const models = organizationModels(conn);
  await models.ApiKey.createIndexes();
  const [noun, verb, arg] = args;
  const print = (human: string, data: unknown) => out(opts.json ? JSON.stringify(data) : human);

  if (noun === 'org' && verb === 'create' && opts.name?.trim()) {
    const org = await createOrganization(models, opts.name.trim());
    const key = await issueApiKey(models, org.id, 'default');
    print(
      `organization ${org.id} (${org.name})\napi key ${key.id}: ${key.key}\nKeep the key now: it is stored hashed and cannot be shown again.`,
      { organization: org, apiKey: key },
    );
    return 0;
  }
  if (noun === 'org' && verb === 'list') {
    const orgs = await models.Organization.find().sort({ createdAt: 1 }).lean();
    print(
      orgs.map((o) => `${o._id}  ${o.name}`).join('\n') || '(none)',
      orgs.map((o) => ({ id: o._id, name: o.name })),
    );
    return 0;
  }
  if (noun === 'key' && verb === 'create' && opts.org) {
    if (!(await models.Organization.exists({ _id: opts.org }))) throw new Error(`no organization ${opts.org}`);
    const key = await issueApiKey(models, opts.org, opts.name ?? 'unnamed');
    print(`api key ${key.id}: ${key.key}\nKeep the key now: it cannot be shown again.`, key);
    return 0;
  }
  if (noun === 'key' && verb === 'list' && opts.org) {
    const keys = await models.ApiKey.find({ organizationId: opts.org }).sort({ createdAt: 1 }).lean();
    const rows = keys.map((k) => ({ id: k._id, name: k.name, createdAt: k.createdAt, revokedAt: k.revokedAt }));
    print(
      rows.map((k) => `${k.id}  ${k.name}  ${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}`).join('\n') ||
        '(none)',
      rows,
    );
    return 0;
  }
  if (noun === 'key' && verb === 'revoke' && arg) {
    const revoked = await revokeApiKey(models, arg);
    print(revoked ? `revoked ${arg}` : `no active key ${arg}`, { id: arg, revoked });
    return revoked ? 0 : 1;
  }
  out(USAGE);
  return 2;
}
