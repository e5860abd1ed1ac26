import { sql } from 'kysely';
import { ApiKeyRepository } from './api-keys.js';
import { AuditEventRepository } from './audit-events.js';
import { type DatabaseHandle, openDatabase } from './database.js';
import { migrateToLatest } from './migrations.js';
import { PasskeyRepository } from './passkeys.js';
import { SecondFactorRepository } from './second-factors.js';
import { SessionRepository } from './sessions.js';
import { UserRepository } from './users.js';
import { WebauthnChallengeRepository } from './webauthn-challenges.js';

/** Everything the service keeps: one object per app, over SQLite or PostgreSQL alike. */
export class Store {
  readonly users: UserRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly sessions: SessionRepository;
  readonly auditEvents: AuditEventRepository;
  readonly passkeys: PasskeyRepository;
  readonly webauthnChallenges: WebauthnChallengeRepository;
  readonly secondFactors: SecondFactorRepository;

  constructor(
    readonly handle: DatabaseHandle,
    /** The migrations this process applied when it opened the store (none when already current). */
    readonly migrationsApplied: string[] = [],
  ) {
    this.users = new UserRepository(handle.db, handle.dialect);
    this.apiKeys = new ApiKeyRepository(handle.db);
    this.sessions = new SessionRepository(handle.db);
    this.auditEvents = new AuditEventRepository(handle.db);
    this.passkeys = new PasskeyRepository(handle.db);
    this.webauthnChallenges = new WebauthnChallengeRepository(handle.db);
    this.secondFactors = new SecondFactorRepository(handle.db);
  }

  get db(): DatabaseHandle['db'] {
    return this.handle.db;
  }

  /** Runs `work` on repositories bound to one transaction: all of its writes land, or none do. */
  async transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    return this.handle.db.transaction().execute((trx) => work(new Store({ db: trx, dialect: this.handle.dialect })));
  }

  /** Throws when the database does not answer. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.handle.db);
  }

  async close(): Promise<void> {
    await this.handle.db.destroy();
  }
}

/** Opens the database and brings its schema up to date. */
export async function openStore(databaseUrl: string): Promise<Store> {
  const handle = openDatabase(databaseUrl);
  try {
    return new Store(handle, await migrateToLatest(handle.db));
  } catch (error) {
    await handle.db.destroy();
    throw error;
  }
}
