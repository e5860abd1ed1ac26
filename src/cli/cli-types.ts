import type { ApiKeyService } from '../api-keys/api-key-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { ComposeDeps } from '../compose.js';
import type { Config } from '../config/config.js';
import type { PasswordHasher } from '../crypto/password-hasher.js';
import type { SecondFactors } from '../second-factor/second-factors.js';
import type { Store } from '../store/store.js';
import type { UserService } from '../users/user-service.js';

/** Where the CLI reads and writes: the process's streams in main.ts, plain functions in tests. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** A password typed at a hidden prompt, or the first line of standard input; never argv. */
  readPassword(prompt: string): Promise<string>;
}

export interface OpenedStore {
  store: Store;
  /** The migrations that opening applied, oldest first. */
  applied: string[];
  close(): Promise<void>;
}

/** What the services are composed from (src/compose.ts gives the defaults), and how to open the store. */
export interface CliDeps extends Omit<ComposeDeps, 'store' | 'redis' | 'counterPrefix'> {
  /** Opens the store named by the configuration and brings its schema up to date. */
  openStore(): Promise<OpenedStore>;
}

/** What a command gets to work with, once the store is open. */
export interface CommandContext {
  io: CliIo;
  config: Config;
  clock: Clock;
  store: Store;
  hasher: PasswordHasher;
  users: UserService;
  apiKeys: ApiKeyService;
  secondFactors: SecondFactors;
  audit: AuditLog;
  applied: string[];
}

/** A failure the user can fix from the command line: exit code 2 and a one-line message. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A command that ran and could not do its work (no such user, refused password): exit code 1. */
export class CommandFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailed';
  }
}
