import type { AuditLog, AuditOrigin } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import { newId } from '../crypto/tokens.js';
import { conflict, notFound, validationFailed } from '../errors/api-error.js';
import type { PasswordPolicy } from '../passwords/password-policy.js';
import type { Role } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import type { UserRecord, UserUpdate } from '../store/users.js';
import { usernameProblem } from './username.js';

export interface UserServiceDeps {
  store: Store;
  hasher: PasswordHasher;
  passwords: PasswordPolicy;
  clock: Clock;
  audit: AuditLog;
}

export interface NewUser {
  username: string;
  password: string;
  role: Role;
}

export interface UserChanges {
  role?: Role;
  disabled?: boolean;
}

export interface PasswordChangeOptions {
  /** The session that asked for the change stays signed in. */
  keepSessionId?: string;
  /** Also revoke every API key of the user (keys minted with a stolen credential). */
  revokeApiKeys?: boolean;
}

export interface PasswordChangeOutcome {
  sessionsRevoked: number;
  apiKeysRevoked: number;
}

export const LAST_ADMIN_MESSAGE = 'At least one enabled admin must remain: promote another user first';

/**
 * The credential lifecycle of users, shared by the routes and the admin CLI: every password
 * change, disable and delete bumps credential_version (through UserRepository.update) and
 * ends the credentials it should, in one transaction, then writes its audit event.
 */
export class UserService {
  constructor(private readonly deps: UserServiceDeps) {}

  async create(input: NewUser, origin: AuditOrigin): Promise<UserRecord> {
    const usernameIssue = usernameProblem(input.username);
    if (usernameIssue !== undefined) throw validationFailed([{ path: '/body/username', message: usernameIssue }]);
    const passwordIssue = this.deps.passwords.problem(input.password, input.username);
    if (passwordIssue !== undefined) throw validationFailed([{ path: '/body/password', message: passwordIssue }]);

    const passwordHash = await this.deps.hasher.hash(input.password);
    let user: UserRecord;
    try {
      user = await this.deps.store.users.create({
        id: newId('usr'),
        username: input.username,
        passwordHash,
        role: input.role,
        now: this.deps.clock.now(),
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('Username is already taken');
      throw error;
    }
    await this.deps.audit.recordFrom(origin, {
      action: 'user.created',
      outcome: 'success',
      username: user.username,
      subject: { type: 'user', id: user.id },
      detail: { role: user.role },
    });
    return user;
  }

  /**
   * Sets a new password and ends every session of the user but `keepSessionId` (the caller's
   * own); with `revokeApiKeys`, revokes every key of the user in the same transaction.
   */
  async setPassword(
    user: UserRecord,
    password: string,
    origin: AuditOrigin,
    options: PasswordChangeOptions = {},
  ): Promise<PasswordChangeOutcome> {
    const issue = this.deps.passwords.problem(password, user.username);
    if (issue !== undefined) throw validationFailed([{ path: '/body/new_password', message: issue }]);
    const passwordHash = await this.deps.hasher.hash(password);
    const now = this.deps.clock.now();
    const outcome = await this.deps.store.transaction(async (tx) => {
      await tx.users.update(user.id, { passwordHash }, now);
      const sessionsRevoked = await tx.sessions.revokeAllForUser(user.id, now, { except: options.keepSessionId });
      const apiKeysRevoked = options.revokeApiKeys === true ? await tx.apiKeys.revokeAllForUser(user.id, now) : 0;
      return { sessionsRevoked, apiKeysRevoked };
    });
    await this.deps.audit.recordFrom(origin, {
      action: 'password.changed',
      outcome: 'success',
      username: user.username,
      subject: { type: 'user', id: user.id },
      detail: {
        sessions_revoked: outcome.sessionsRevoked,
        ...(options.revokeApiKeys === true ? { api_keys_revoked: outcome.apiKeysRevoked } : {}),
      },
    });
    return outcome;
  }

  /** Changes role or disabled; disabling ends every session and API key of the user for good. */
  async update(id: string, changes: UserChanges, origin: AuditOrigin): Promise<UserRecord> {
    const now = this.deps.clock.now();
    const outcome = await this.deps.store.transaction(async (tx) => {
      const user = await tx.users.findById(id);
      if (user === undefined) throw notFound('User not found');
      const effective: UserUpdate = {};
      if (changes.role !== undefined && changes.role !== user.role) effective.role = changes.role;
      if (changes.disabled !== undefined && changes.disabled !== (user.disabled === 1))
        effective.disabled = changes.disabled;
      if (effective.role === undefined && effective.disabled === undefined)
        return { user, effective, revoked: undefined };

      if (isActiveAdmin(user) && (effective.role === 'user' || effective.disabled === true))
        await assertAnotherAdmin(tx, user.id);
      const updated = (await tx.users.update(id, effective, now)) ?? user;
      if (effective.disabled !== true) return { user: updated, effective, revoked: undefined };
      const sessions = await tx.sessions.revokeAllForUser(id, now);
      const apiKeys = await tx.apiKeys.revokeAllForUser(id, now);
      return { user: updated, effective, revoked: { sessions, apiKeys } };
    });

    const { user, effective, revoked } = outcome;
    if (effective.role !== undefined || effective.disabled !== undefined) {
      await this.deps.audit.recordFrom(origin, {
        action: 'user.updated',
        outcome: 'success',
        username: user.username,
        subject: { type: 'user', id: user.id },
        detail: {
          ...(effective.role === undefined ? {} : { role: effective.role }),
          ...(effective.disabled === undefined ? {} : { disabled: effective.disabled }),
          ...(revoked === undefined ? {} : { sessions_revoked: revoked.sessions, api_keys_revoked: revoked.apiKeys }),
        },
      });
    }
    return user;
  }

  /** Deletes the user; their sessions and API keys go with them, their audit events stay. */
  async remove(id: string, origin: AuditOrigin): Promise<void> {
    const user = await this.deps.store.transaction(async (tx) => {
      const found = await tx.users.findById(id);
      if (found === undefined) throw notFound('User not found');
      if (isActiveAdmin(found)) await assertAnotherAdmin(tx, found.id);
      await tx.users.delete(id);
      return found;
    });
    await this.deps.audit.recordFrom(origin, {
      action: 'user.deleted',
      outcome: 'success',
      username: user.username,
      subject: { type: 'user', id: user.id },
    });
  }
}

function isActiveAdmin(user: UserRecord): boolean {
  return user.role === 'admin' && user.disabled === 0;
}

async function assertAnotherAdmin(tx: Store, userId: string): Promise<void> {
  const admins = await tx.users.lockActiveAdminIds();
  if (!admins.some((adminId) => adminId !== userId)) throw conflict(LAST_ADMIN_MESSAGE);
}
