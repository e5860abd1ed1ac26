/** How a presented credential fared; `ok` passed, the rest were turned away. */
export type AuthReason = 'ok' | 'invalid' | 'throttled' | 'forbidden' | 'unavailable';

/** `login` is POST /login; the rest are the contract's security schemes. */
export type AuthScheme = 'basicAuth' | 'bearerAuth' | 'apiKey' | 'sessionCookie' | 'login';

/** Requests turned away by the per-client limit, and password attempts held back by the throttle. */
export type Refusal = 'rate_limit' | 'throttle';

export type PurgedKind = 'sessions' | 'audit_events';

/**
 * The events the service counts, as the code that decides them sees it: one call, no labels to
 * build. Metrics off is `noMetrics`, so no call site needs to ask whether they are on.
 */
export interface MetricHooks {
  authOutcome(scheme: AuthScheme, reason: AuthReason): void;
  refused(kind: Refusal): void;
  purged(kind: PurgedKind, count: number): void;
}

export const noMetrics: MetricHooks = Object.freeze({
  authOutcome: () => {},
  refused: () => {},
  purged: () => {},
});
