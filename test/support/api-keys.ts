import { pino } from 'pino';
import { ApiKeyService } from '../../src/api-keys/api-key-service.js';
import type { KeyMode } from '../../src/api-keys/key-format.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import type { Clock } from '../../src/clock.js';
import type { Store } from '../../src/store/store.js';

/** The service the routes and the CLI mint keys with, over a test's store; `mode` can differ from the app's. */
export function apiKeyServiceFor(app: { store: Store; clock: Clock }, mode: KeyMode = 'test'): ApiKeyService {
  const audit = new AuditLog(app.store.auditEvents, app.clock, pino({ level: 'silent' }));
  return new ApiKeyService({ store: app.store, clock: app.clock, audit, mode, maxActivePerUser: 100 });
}
