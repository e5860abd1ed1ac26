import { type Request, Router } from 'express';
import type { components } from '../../generated/openapi.js';
import type { AuditLog } from '../audit/audit-log.js';
import { principalOf } from '../auth/auth-record.js';
import { idleExpiry, isLive, type SessionDeps, type SessionPolicy } from '../auth/session.js';
import { addMinutes } from '../clock.js';
import { notFound } from '../errors/api-error.js';
import type { ResponseJson } from '../http/contract-types.js';
import type { SessionRecord } from '../store/sessions.js';

export interface MySessionRouteDeps {
  session: SessionDeps;
  audit: AuditLog;
}

/** The contract's bound on one list; nobody has a hundred live sessions by honest use. */
const MAX_LISTED = 100;

/** The session that made the request, when it came with the cookie. */
function currentSessionId(req: Request): string | undefined {
  const principal = principalOf(req);
  return principal.scheme === 'session' ? principal.session.id : undefined;
}

/** A session as its owner sees it: never its token or CSRF hash. */
function sessionJson(
  record: SessionRecord,
  currentId: string | undefined,
  policy: SessionPolicy,
): components['schemas']['Session'] {
  const idleEnd = idleExpiry(record, policy);
  const absoluteEnd = new Date(record.expires_at);
  return {
    id: record.id,
    created_at: record.created_at,
    last_seen_at: record.last_seen_at,
    expires_at: (idleEnd < absoluteEnd ? idleEnd : absoluteEnd).toISOString(),
    current: record.id === currentId,
    user_agent: record.user_agent,
    ip: record.ip,
  };
}

/**
 * A user's own sessions: list them, end one (a lost device), end all ("sign out everywhere").
 * Basic works too, so a user locked out of the browser can still end its sessions. Another
 * user's session is "not found", so ids cannot be probed.
 */
export function mySessionRoutes({ session, audit }: MySessionRouteDeps): Router {
  const { sessions, clock, policy } = session;
  const router = Router();

  router.get('/me/sessions', async (req, res) => {
    const now = clock.now();
    const live = await sessions.listLiveByUser(
      principalOf(req).user.id,
      { now, seenSince: addMinutes(now, -policy.idleMinutes) },
      MAX_LISTED,
    );
    const currentId = currentSessionId(req);
    const body: ResponseJson<'listMySessions', 200> = {
      data: live.map((record) => sessionJson(record, currentId, policy)),
    };
    res.json(body);
  });

  router.delete('/me/sessions/:id', async (req, res) => {
    const now = clock.now();
    const record = await sessions.findById(req.params.id);
    const own = record !== undefined && record.user_id === principalOf(req).user.id && isLive(record, now, policy);
    // revoke() is conditional, so of two concurrent requests only one answers 204.
    if (!own || !(await sessions.revoke(record.id, now))) throw notFound('Session not found');
    if (record.id === currentSessionId(req)) req.session = null;
    await audit.record(req, {
      action: 'session.revoked',
      outcome: 'success',
      subject: { type: 'session', id: record.id },
    });
    res.status(204).end();
  });

  router.delete('/me/sessions', async (req, res) => {
    const user = principalOf(req).user;
    const count = await sessions.revokeAllForUser(user.id, clock.now());
    if (currentSessionId(req) !== undefined) req.session = null;
    await audit.record(req, {
      action: 'session.revoked',
      outcome: 'success',
      subject: { type: 'user', id: user.id },
      detail: { scope: 'all', count },
    });
    res.status(204).end();
  });

  return router;
}
