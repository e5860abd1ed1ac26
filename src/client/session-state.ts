/**
 * What a session client remembers between calls: the cookies set by the service (outside a
 * browser, which keeps its own) and the CSRF token from the sign-in answer.
 */
export class SessionState {
  private readonly cookies = new Map<string, string>();
  csrfToken: string | undefined;

  /** The Cookie header to send, or undefined when there is nothing to send. */
  cookieHeader(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Applies Set-Cookie lines: a cookie with an empty value or a past expiry is dropped. */
  absorb(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      if (separator <= 0) continue;
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expires = attributes.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('expires='));
      const expired = expires !== undefined && Date.parse(expires.slice('expires='.length)) <= Date.now();
      if (value === '' || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  clear(): void {
    this.cookies.clear();
    this.csrfToken = undefined;
  }
}
