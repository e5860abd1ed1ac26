/**
 * Usernames: ASCII letters, digits and `._-@`, 1 to 64 characters. No colon (Basic splits on
 * the first one), no spaces or look-alike Unicode letters. The contract's `Username` schema
 * says the same for the routes; this check serves the CLI.
 */
const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;

/** Why the username is refused, or undefined when it may be used. */
export function usernameProblem(username: string): string | undefined {
  if (USERNAME.test(username)) return undefined;
  return 'Username must be 1 to 64 characters: letters, digits and . _ - @';
}
