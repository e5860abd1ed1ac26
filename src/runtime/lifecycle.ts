/**
 * Where this process is in its life, as the parts that answer for it need to know: readiness
 * turns 503 the moment `stopping` is set, before any connection is closed.
 */
export class Lifecycle {
  private stoppingSince: Date | undefined;

  get stopping(): boolean {
    return this.stoppingSince !== undefined;
  }

  /** Returns false when the stop had already begun (a second signal). */
  beginStopping(now: Date = new Date()): boolean {
    if (this.stoppingSince !== undefined) return false;
    this.stoppingSince = now;
    return true;
  }
}
