import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizePassword } from '../crypto/password-hasher.js';
import { projectRoot } from '../paths.js';

/** NIST 800-63B and ASVS 5: at least 8 characters; no composition rules. */
export const MIN_PASSWORD_CHARACTERS = 8;

/** ASVS 5 asks for at least 64; every one of them counts, since passwords are pre-hashed before bcrypt. */
export const MAX_PASSWORD_CHARACTERS = 256;

export const COMMON_PASSWORDS_FILE = join(projectRoot, 'src', 'passwords', 'common-passwords.txt');

/** Words that make a password easy to guess here in particular (ASVS 5 "context-specific words"). */
const SERVICE_WORDS = ['gatehouse'];

/** Shorter usernames would refuse too many good passwords that merely contain them by chance. */
const MIN_USERNAME_TO_REFUSE = 4;

/**
 * The rules every new password meets, for the routes and the CLI alike. Demo data is seeded
 * without them. The list is read once per instance, never kept at module level.
 */
export class PasswordPolicy {
  private constructor(private readonly common: ReadonlySet<string>) {}

  /** The list file has one password a line, lower-cased; lines starting with `#` are comments. */
  static fromFile(file: string = COMMON_PASSWORDS_FILE): PasswordPolicy {
    const lines = readFileSync(file, 'utf8').split('\n');
    return PasswordPolicy.fromList(lines.filter((line) => !line.startsWith('#')));
  }

  static fromList(passwords: Iterable<string>): PasswordPolicy {
    const common = new Set<string>();
    for (const password of passwords) {
      const entry = password.trim().toLowerCase();
      if (entry !== '') common.add(entry);
    }
    return new PasswordPolicy(common);
  }

  get commonPasswordCount(): number {
    return this.common.size;
  }

  /** Why the password is refused for this user, or undefined when it may be used. */
  problem(password: string, username: string): string | undefined {
    // Characters are Unicode code points of the NFC form, as NIST counts them and as the password is hashed.
    const normalized = normalizePassword(password);
    const characters = [...normalized].length;
    if (characters < MIN_PASSWORD_CHARACTERS) return `Password must be at least ${MIN_PASSWORD_CHARACTERS} characters`;
    if (characters > MAX_PASSWORD_CHARACTERS) return `Password must be at most ${MAX_PASSWORD_CHARACTERS} characters`;
    const lowered = normalized.toLowerCase();
    if (this.common.has(lowered)) return 'Password is one of the most common passwords; choose another';
    const name = username.toLowerCase();
    if (name.length >= MIN_USERNAME_TO_REFUSE && lowered.includes(name))
      return 'Password must not contain the username';
    if (SERVICE_WORDS.some((word) => lowered.includes(word)))
      return 'Password must not contain the name of this service';
    return undefined;
  }
}
