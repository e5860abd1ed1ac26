import type { ApiKeyOperationDeps } from './api-keys.js';
import { apiKeysOperations } from './api-keys.js';
import { apikeyOperations } from './apikey.js';
import { type AuditOperationDeps, auditOperations } from './audit.js';
import { basicOperations } from './basic.js';
import { type LoginTotpDeps, loginTotpOperations } from './login-totp.js';
import { type MeOperationDeps, meOperations } from './me.js';
import type { OperationTable } from './operation.js';
import { pagesOperations } from './pages.js';
import { type PasskeyFactorDeps, passkeyFactorOperations } from './passkey-factor.js';
import { type PasskeyOperationDeps, passkeysOperations } from './passkeys.js';
import { type SecondFactorOperationDeps, secondFactorOperations } from './second-factor.js';
import { type ServiceOperationDeps, serviceOperations } from './service.js';
import { type SessionOperationDeps, sessionOperations } from './session.js';
import { sessionConfirmOperations } from './session-confirm.js';
import { type UserOperationDeps, usersOperations } from './users.js';

export type OperationDeps = ApiKeyOperationDeps &
  AuditOperationDeps &
  MeOperationDeps &
  PasskeyOperationDeps &
  PasskeyFactorDeps &
  ServiceOperationDeps &
  SessionOperationDeps &
  LoginTotpDeps &
  SecondFactorOperationDeps &
  UserOperationDeps & {
    /** The sign-in page and its assets. */
    webDir: string;
  };

/**
 * Every operation of openapi.yaml, one file per contract tag (src/operations/<tag>.ts), the
 * session tag's password confirmation (sudo mode) apart: the type makes a missing or unknown
 * operationId a compile error.
 */
export function operationTable(deps: OperationDeps): OperationTable {
  return {
    ...basicOperations(),
    ...apikeyOperations(),
    ...sessionOperations(deps),
    ...sessionConfirmOperations(deps),
    ...loginTotpOperations(deps),
    ...secondFactorOperations(deps),
    ...apiKeysOperations(deps),
    ...serviceOperations(deps),
    ...meOperations(deps),
    ...passkeysOperations(deps),
    ...passkeyFactorOperations(deps),
    ...usersOperations(deps),
    ...auditOperations(deps),
    ...pagesOperations(deps.webDir),
  };
}
