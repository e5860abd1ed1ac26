import { CLI_ORIGIN } from '../audit/audit-log.js';
import { InvalidInput } from '../errors/domain-errors.js';
import { permissionsOf } from '../store/api-keys.js';
import type { Permission } from '../store/schema.js';
import { CommandFailed, UsageError } from './cli-types.js';
import type { Command } from './command.js';
import { findUser } from './user-commands.js';

const MAX_NAME_LENGTH = 100;

function parsePermissions(raw: string | undefined): Permission[] {
  const list = (raw ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (list.length === 0 || !list.every((p): p is Permission => p === 'read' || p === 'write')) {
    throw new UsageError('--permissions must be read, write or read,write');
  }
  return list;
}

function parseName(raw: string | undefined): string {
  const name = raw?.trim() ?? '';
  if (name === '' || name.length > MAX_NAME_LENGTH)
    throw new UsageError(`--name is required: 1 to ${MAX_NAME_LENGTH} characters`);
  return name;
}

/** The service names the field as the request body does; here it was an option. */
function asUsageError(error: unknown): unknown {
  return error instanceof InvalidInput
    ? new UsageError(`--${error.field.replaceAll('_', '-')} ${error.message}`)
    : error;
}

export const keyCommands: Command[] = [
  {
    name: 'key create',
    usage: 'key create <username> --name <name> --permissions read[,write] [--expires-at <ISO 8601>]',
    summary: 'Create an API key for a user and print it, once',
    arguments: ['username'],
    options: { name: { type: 'string' }, permissions: { type: 'string' }, 'expires-at': { type: 'string' } },
    async run(ctx, [username = ''], options) {
      const request = {
        name: parseName(options.name),
        permissions: parsePermissions(options.permissions),
        expiresAt: options['expires-at'],
      };
      const user = await findUser(ctx, username);
      const { key, record } = await ctx.apiKeys.issue(user, request, CLI_ORIGIN).catch((error: unknown) => {
        throw asUsageError(error);
      });
      // The key alone on standard output, so a script can capture it; the rest goes to standard error.
      ctx.io.out(key);
      ctx.io.err(
        `Created API key ${record.id} (${record.permissions}) for ${user.username}. Store it now: it cannot be shown again.`,
      );
    },
  },
  {
    name: 'key revoke',
    usage: 'key revoke <key-id>',
    summary: 'Revoke an API key',
    arguments: ['key-id'],
    options: {},
    async run(ctx, [keyId = '']) {
      if (!(await ctx.apiKeys.revoke(keyId, CLI_ORIGIN)))
        throw new CommandFailed(`no active API key with id "${keyId}"`);
      ctx.io.out(`Revoked API key ${keyId}`);
    },
  },
  {
    name: 'key list',
    usage: 'key list <username>',
    summary: "List a user's API keys (prefixes only, never the keys)",
    arguments: ['username'],
    options: {},
    async run(ctx, [username = '']) {
      const user = await findUser(ctx, username);
      const keys = await ctx.apiKeys.listAll(user.id);
      if (keys.length === 0) return ctx.io.out(`${user.username} has no API keys`);
      const now = ctx.clock.now().toISOString();
      ctx.io.out(
        ['id', 'prefix', 'name', 'permissions', 'status', 'created_at', 'expires_at', 'last_used_at'].join('\t'),
      );
      for (const key of keys) {
        const status =
          key.revoked_at !== null ? 'revoked' : key.expires_at !== null && key.expires_at <= now ? 'expired' : 'active';
        ctx.io.out(
          [
            key.id,
            `${key.prefix}…`,
            key.name,
            permissionsOf(key).join(','),
            status,
            key.created_at,
            key.expires_at ?? '-',
            key.last_used_at ?? '-',
          ].join('\t'),
        );
      }
    },
  },
];
