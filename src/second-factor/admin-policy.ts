import type { RequestHandler } from 'express';
import { matchedOperation } from '../contract.js';
import { forbidden } from '../errors/api-error.js';
import type { SecondFactors } from './second-factors.js';

export const ADMIN_FACTOR_MESSAGE = 'Admins must turn on a second factor first: POST /me/totp';

/** An operation only admins may call: every alternative of its `security` asks for the admin role. */
function adminOnly(security: Array<Record<string, string[]>>): boolean {
  return (
    security.length > 0 &&
    security.every((requirement) => {
      const scopes = Object.values(requirement);
      return scopes.length > 0 && scopes.every((roles) => roles.includes('admin'));
    })
  );
}

/**
 * MFA_REQUIRED_FOR_ADMINS: an admin without a second factor is refused (403) on admin-only
 * operations, and told how to turn one on; signing in and enrolling stay open to them. Off, it
 * is not mounted at all. Runs once the principal is known.
 */
export function requireAdminSecondFactor(factors: SecondFactors): RequestHandler {
  const adminOnlyBySchema = new WeakMap<object, boolean>();
  return async (req, _res, next) => {
    const principal = req.auth?.principal;
    const schema = matchedOperation(req)?.schema;
    if (principal?.user.role !== 'admin' || schema === undefined) return next();
    let restricted = adminOnlyBySchema.get(schema);
    if (restricted === undefined) {
      restricted = adminOnly(schema.security ?? []);
      adminOnlyBySchema.set(schema, restricted);
    }
    if (!restricted || (await factors.hasAny(principal.user.id))) return next();
    next(forbidden(ADMIN_FACTOR_MESSAGE));
  };
}
