import { InvalidInput } from '../errors/domain-errors.js';

/** A Date past 9999 no longer prints as an RFC 3339 date-time. */
const LATEST_EXPIRY = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** An ISO 8601 date, with or without a time: `Date` alone would also take "May 1" or "1". */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/** The expiry asked for, or null for "never", from the routes and the CLI alike. */
export function parseExpiry(value: string | null | undefined, now: Date): Date | null {
  if (value === undefined || value === null) return null;
  const expiresAt = new Date(value);
  if (!ISO_DATE.test(value) || Number.isNaN(expiresAt.getTime()))
    throw new InvalidInput('expires_at', 'must be a valid date-time');
  if (expiresAt <= now) throw new InvalidInput('expires_at', 'must be in the future');
  if (expiresAt.getTime() > LATEST_EXPIRY) throw new InvalidInput('expires_at', 'must be before the year 10000');
  return expiresAt;
}
