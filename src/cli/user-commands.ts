import { CLI_ORIGIN } from '../audit/audit-log.js';
import type { Role } from '../store/schema.js';
import type { UserRecord } from '../store/users.js';
import { type CommandContext, CommandFailed, UsageError } from './cli-types.js';
import type { Command } from './command.js';

function parseRole(raw: string | undefined): Role {
  if (raw === undefined || raw === 'user') return 'user';
  if (raw === 'admin') return 'admin';
  throw new UsageError(`--role must be user or admin (got "${raw}")`);
}

export async function findUser(ctx: CommandContext, username: string): Promise<UserRecord> {
  const user = await ctx.store.users.findByUsername(username);
  if (user === undefined) throw new CommandFailed(`no user named "${username}"`);
  return user;
}

async function newPassword(ctx: CommandContext, username: string): Promise<string> {
  const password = await ctx.io.readPassword(`New password for ${username}: `);
  if (password === '') throw new UsageError('no password given: type it at the prompt or pipe it on standard input');
  return password;
}

export const userCommands: Command[] = [
  {
    name: 'user create',
    usage: 'user create <username> [--role user|admin]',
    summary: 'Create a user; the password is read from standard input or a prompt',
    arguments: ['username'],
    options: { role: { type: 'string' } },
    async run(ctx, [username = ''], options) {
      const role = parseRole(options.role);
      const user = await ctx.users.create({ username, password: await newPassword(ctx, username), role }, CLI_ORIGIN);
      ctx.io.out(`Created ${user.role} ${user.username} (${user.id})`);
    },
  },
  {
    name: 'user set-password',
    usage: 'user set-password <username>',
    summary: "Set a user's password; ends all of their sessions",
    arguments: ['username'],
    options: {},
    async run(ctx, [username = '']) {
      const user = await findUser(ctx, username);
      const { sessionsRevoked } = await ctx.users.setPassword(user, await newPassword(ctx, user.username), CLI_ORIGIN);
      ctx.io.out(`Password of ${user.username} changed; ${sessionsRevoked} session(s) ended`);
    },
  },
  {
    name: 'user disable',
    usage: 'user disable <username>',
    summary: 'Disable a user; ends their sessions and revokes their API keys for good',
    arguments: ['username'],
    options: {},
    async run(ctx, [username = '']) {
      const user = await findUser(ctx, username);
      await ctx.users.update(user.id, { disabled: true }, CLI_ORIGIN);
      ctx.io.out(`Disabled ${user.username}: their sessions are ended and their API keys revoked`);
    },
  },
  {
    name: 'user reset-second-factors',
    usage: 'user reset-second-factors <username>',
    summary:
      "Remove a user's second factors (TOTP, recovery codes, passkeys), e.g. for an admin locked out under MFA_REQUIRED_FOR_ADMINS",
    arguments: ['username'],
    options: {},
    async run(ctx, [username = '']) {
      const user = await findUser(ctx, username);
      const before = await ctx.secondFactors.factorsOf(user.id);
      // The admin route's own call: the same removal, the same audit event, with the CLI as actor.
      await ctx.secondFactors.reset(user.id, CLI_ORIGIN);
      const removed = [
        ...(before.totp ? ['TOTP and recovery codes'] : []),
        ...(before.passkeys > 0 ? [`${before.passkeys} passkey(s)`] : []),
      ];
      ctx.io.out(
        removed.length === 0
          ? `${user.username} had no second factor; nothing to remove`
          : `Second factors of ${user.username} removed (${removed.join(', ')}): the password alone signs them in until they set up a new one`,
      );
    },
  },
];
