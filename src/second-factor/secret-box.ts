import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

interface BoxKey {
  id: string;
  key: Buffer;
}

const FORMAT = 'v1';

/**
 * Seals TOTP secrets at rest with AES-256-GCM under a key derived from each of SESSION_KEYS
 * (newest first): a copy of the database alone does not yield the secrets. Each sealed value
 * names the key it was sealed with, so rotating SESSION_KEYS keeps older secrets readable while
 * their key stays in the list; a secret whose key has left the list can no longer be read
 * (its owner signs in with a recovery code, or an admin resets the factor).
 */
export class SecretBox {
  private readonly keys: BoxKey[];

  constructor(sessionKeys: readonly string[]) {
    // Derived, so the key never doubles as a cookie signature key or a device-token key.
    this.keys = sessionKeys.map((sessionKey) => {
      const key = createHmac('sha256', sessionKey).update('gatehouse totp secret v1').digest();
      return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
    });
  }

  seal(plain: string): string {
    const { id, key } = this.keys[0] as BoxKey;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      FORMAT,
      id,
      iv.toString('base64url'),
      sealed.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  /** The plain text, or undefined when the value is not one this box can open. */
  open(value: string): string | undefined {
    const [format, id, iv, sealed, tag] = value.split('.');
    const key = this.keys.find((candidate) => candidate.id === id)?.key;
    if (format !== FORMAT || key === undefined || iv === undefined || sealed === undefined || tag === undefined)
      return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
