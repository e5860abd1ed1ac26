import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

/**
 * A passkey authenticator in software, for tests without a browser: ES256 keys from node:crypto,
 * `none` attestation, and the few CBOR structures WebAuthn needs, encoded by hand. It answers
 * the JSON forms a browser's `PublicKeyCredential.toJSON()` gives, and can be told to lie
 * (another origin or RP ID, no user verification, a stale counter) to prove the server refuses.
 */

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
  throw new Error('CBOR item too long for this encoder');
}

export function encodeCbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  const parts = [head(5, value.size)];
  for (const [key, item] of value) parts.push(encodeCbor(key), encodeCbor(item));
  return Buffer.concat(parts);
}

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const sha256 = (bytes: Uint8Array | string): Buffer => createHash('sha256').update(bytes).digest();

const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

interface StoredCredential {
  id: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
  rpId: string;
  userHandle: string;
  counter: number;
}

/** What a test may make the authenticator or its browser get wrong. */
export interface Tampering {
  origin?: string;
  rpId?: string;
  userVerified?: boolean;
  /** The signature counter to report (it otherwise grows by one per use). */
  counter?: number;
  /** Use this credential (create: register it again) instead of the one the authenticator would pick. */
  credentialId?: string;
  type?: string;
}

export interface RegistrationJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; attestationObject: string; transports: string[] };
  clientExtensionResults: Record<string, never>;
  authenticatorAttachment: 'platform';
}

export interface AssertionJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle: string };
  clientExtensionResults: Record<string, never>;
  authenticatorAttachment: 'platform';
}

export class SoftwareAuthenticator {
  readonly credentials: StoredCredential[] = [];

  constructor(private readonly origin: string) {}

  /** navigator.credentials.create() with the server's creation options (their JSON form). */
  create(
    options: { challenge: string; rp: { id?: string }; user: { id: string } },
    tamper: Tampering = {},
  ): RegistrationJSON {
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    const credential = this.credentials.find((c) => b64url(c.id) === tamper.credentialId) ?? this.newCredential(rpId);
    credential.userHandle = options.user.id;
    const { publicKey } = credential;
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = encodeCbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x ?? '', 'base64url')],
        [-3, Buffer.from(jwk.y ?? '', 'base64url')],
      ]),
    );
    const idLength = Buffer.from([credential.id.length >> 8, credential.id.length & 0xff]);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, credential.id, coseKey]);
    const authData = this.authenticatorData(tamper.rpId ?? rpId, tamper, AT, 0, attested);
    const clientDataJSON = this.clientData(tamper.type ?? 'webauthn.create', options.challenge, tamper);
    const attestationObject = encodeCbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  private newCredential(rpId: string): StoredCredential {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credential = { id: randomBytes(32), privateKey, publicKey, rpId, userHandle: '', counter: 0 };
    this.credentials.push(credential);
    return credential;
  }

  /** navigator.credentials.get() with the server's request options: the newest passkey for the RP answers. */
  get(options: { challenge: string; rpId?: string }, tamper: Tampering = {}): AssertionJSON {
    const rpId = options.rpId ?? new URL(this.origin).hostname;
    const credential =
      tamper.credentialId === undefined
        ? this.credentials.filter((c) => c.rpId === rpId).at(-1)
        : this.credentials.find((c) => b64url(c.id) === tamper.credentialId);
    if (credential === undefined) throw new Error(`no passkey for ${rpId}`);
    credential.counter = tamper.counter ?? credential.counter + 1;
    const authData = this.authenticatorData(tamper.rpId ?? rpId, tamper, 0, credential.counter);
    const clientDataJSON = this.clientData(tamper.type ?? 'webauthn.get', options.challenge, tamper);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  private authenticatorData(
    rpId: string,
    tamper: Tampering,
    extraFlags: number,
    counter: number,
    rest = Buffer.alloc(0),
  ): Buffer {
    const flags = UP | (tamper.userVerified === false ? 0 : UV) | extraFlags;
    const signCount = Buffer.alloc(4);
    signCount.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), signCount, rest]);
  }

  private clientData(type: string, challenge: string, tamper: Tampering): Buffer {
    return Buffer.from(
      JSON.stringify({ type, challenge, origin: tamper.origin ?? this.origin, crossOrigin: false }),
      'utf8',
    );
  }
}
