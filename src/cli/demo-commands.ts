import { CLI_ORIGIN } from '../audit/audit-log.js';
import { findDemoCredentials } from '../store/demo-credentials.js';
import type { Command } from './command.js';

export const demoCommands: Command[] = [
  {
    name: 'demo remove',
    usage: 'demo remove',
    summary:
      'Delete the demo API keys and the demo users whose password is still the demo one (production refuses to start while they exist)',
    arguments: [],
    options: {},
    async run(ctx) {
      const found = await findDemoCredentials(ctx.store, ctx.hasher);
      if (found.users.length === 0 && found.keys.length === 0)
        return ctx.io.out('This store holds no demo credentials');
      for (const key of found.keys) {
        await ctx.store.apiKeys.delete(key.id);
        await ctx.audit.recordFrom(CLI_ORIGIN, {
          action: 'api_key.deleted',
          outcome: 'success',
          subject: { type: 'api_key', id: key.id },
          detail: { reason: 'demo' },
        });
      }
      // Not UserService.remove: its last-admin rule would keep the demo admin, whose password everyone knows.
      for (const user of found.users) {
        await ctx.store.users.delete(user.id);
        await ctx.audit.recordFrom(CLI_ORIGIN, {
          action: 'user.deleted',
          outcome: 'success',
          username: user.username,
          subject: { type: 'user', id: user.id },
          detail: { reason: 'demo' },
        });
      }
      const names = found.users.map((user) => user.username).join(', ');
      ctx.io.out(
        `Removed ${found.users.length} demo user(s)${names === '' ? '' : ` (${names})`} and ${found.keys.length} demo API key(s)`,
      );
      if ((await ctx.store.users.lockActiveAdminIds()).length === 0)
        ctx.io.err('No enabled admin is left: create one with `npm run cli -- user create <username> --role admin`');
    },
  },
];
