/**
 * Where this process is in its life, as the parts that answer for it need to know: readiness
 * turns 503 the moment `stopping` is set, before any connection is closed.
 */
export class Lifecycle {
  private stopped = false;

  get stopping(): boolean {
    return this.stopped;
  }

  /** Returns false when the stop had already begun (a second signal). */
  beginStopping(): boolean {
    if (this.stopped) return false;
    this.stopped = true;
    return true;
  }
}
