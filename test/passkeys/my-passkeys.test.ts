import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI_ORIGIN } from '../../src/audit/audit-log.js';
import { composeServices } from '../../src/compose.js';
import { basic, expectEnvelope, startTestApp, type TestApp } from '../support/test-app.js';
import { bodyOf } from '../support/typed-responses.js';
import {
  originOf,
  passkeySignIn,
  register,
  type SessionHeaders,
  SoftwareAuthenticator,
  signIn,
} from './passkey-support.js';

let app: TestApp;
let session: SessionHeaders;
let authenticator: SoftwareAuthenticator;
let passkeyId: string;
beforeEach(async () => {
  app = await startTestApp();
  session = await signIn(app);
  authenticator = new SoftwareAuthenticator(originOf(app));
  passkeyId = bodyOf(await register(app, session, authenticator), 'createMyPasskey', 201).id;
});
afterEach(() => app.close());

describe('GET /me/passkeys', () => {
  it('200; another user (with Basic) sees none of them', async () => {
    const mine = await app.callOp('listMyPasskeys', { headers: session });
    expect(mine.body(200).data.map((p) => p.id)).toEqual([passkeyId]);
    const bobs = await app.callOp('listMyPasskeys', { headers: basic('bob', 'securepass') });
    expect(bobs.body(200).data).toEqual([]);
  });
});

describe('DELETE /me/passkeys/{id}', () => {
  it('204: the passkey can no longer sign in; audited', async () => {
    const answer = await app.callOp('deleteMyPasskey', { params: { id: passkeyId }, headers: session });
    expect(answer.status).toBe(204);
    expectEnvelope(await passkeySignIn(app, authenticator), 401, 'authentication_error');
    const audit = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'passkey.deleted')
      .execute();
    expect(audit.map((e) => [e.username, e.subject_id])).toEqual([['alice', passkeyId]]);
  });

  it("404 for another user's passkey, which stays", async () => {
    const answer = await app.callOp('deleteMyPasskey', {
      params: { id: passkeyId },
      headers: basic('bob', 'securepass'),
    });
    expectEnvelope(answer, 404, 'not_found_error', 'Passkey not found');
    expect((await passkeySignIn(app, authenticator)).status).toBe(200);
  });

  it('404 when deleted already', async () => {
    expect((await app.callOp('deleteMyPasskey', { params: { id: passkeyId }, headers: session })).status).toBe(204);
    expectEnvelope(
      await app.callOp('deleteMyPasskey', { params: { id: passkeyId }, headers: session }),
      404,
      'not_found_error',
    );
  });

  it('403 authorization_error 10 minutes after the passkey was proved; Basic is refused for an account with one', async () => {
    app.clock.advanceMinutes(10);
    const answer = await app.callOp('deleteMyPasskey', { params: { id: passkeyId }, headers: session });
    expectEnvelope(
      answer,
      403,
      'authorization_error',
      'Confirm with a passkey to delete a passkey: POST /me/session/confirm/passkey with a passkey, then retry',
    );
    const byBasic = await app.callOp('deleteMyPasskey', {
      params: { id: passkeyId },
      headers: basic('alice', 'password123'),
    });
    expectEnvelope(byBasic, 401, 'authentication_error');
  });

  it('403 csrf_error without the CSRF token', async () => {
    const answer = await app.callOp('deleteMyPasskey', {
      params: { id: passkeyId },
      headers: { cookie: session.cookie ?? '' },
    });
    expectEnvelope(answer, 403, 'csrf_error');
  });
});

describe('the Passkeys service for the second factor and admins', () => {
  it('countForUser and resetForUser (audited)', async () => {
    const alice = await app.store.users.findByUsername('alice');
    if (alice === undefined) throw new Error('no alice');
    const { passkeys } = composeServices({
      config: app.config,
      store: app.store,
      clock: app.clock,
      logger: pino({ level: 'silent' }),
    });
    expect(await passkeys.countForUser(alice.id)).toBe(1);
    expect(await passkeys.resetForUser(alice, CLI_ORIGIN)).toBe(1);
    expect(await passkeys.countForUser(alice.id)).toBe(0);
    const audit = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'passkey.reset')
      .execute();
    expect(audit.map((e) => [e.username, e.detail])).toEqual([['alice', '{"count":1}']]);
  });
});
