import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { WebauthnSettings } from '../config/webauthn-settings.js';
import type { PasskeyRecord } from '../store/passkeys.js';
import type { UserRecord } from '../store/users.js';

export type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON as CreationOptions,
  PublicKeyCredentialRequestOptionsJSON as RequestOptions,
  RegistrationResponseJSON,
};

/** How long a ceremony may take, and so how long its challenge lives. */
export const CEREMONY_MS = 5 * 60_000;

/** What a verified new credential leaves to be stored. */
export interface NewCredential {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
}

/** The user handle of a user: its id's bytes, so an assertion says whose passkey it is. */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(userId);
}

/**
 * The WebAuthn steps, over @simplewebauthn/server: options out, credentials in, each checked
 * against the configured relying party. A passkey must be discoverable (resident) and verify its
 * user (PIN or biometrics), so one passkey alone is enough to sign in.
 */
export class Ceremonies {
  constructor(private readonly rp: WebauthnSettings) {}

  creationOptions(user: UserRecord, existing: PasskeyRecord[]): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return generateRegistrationOptions({
      rpName: this.rp.rpName,
      rpID: this.rp.rpId,
      userName: user.username,
      userID: userHandleOf(user.id),
      userDisplayName: user.username,
      timeout: CEREMONY_MS,
      attestationType: 'none',
      // The same authenticator twice would only be a second name for one key.
      excludeCredentials: existing.map((passkey) => ({ id: passkey.credential_id, transports: passkey.transports })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
  }

  requestOptions(allowed: PasskeyRecord[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return generateAuthenticationOptions({
      rpID: this.rp.rpId,
      allowCredentials: allowed.map((passkey) => ({ id: passkey.credential_id, transports: passkey.transports })),
      timeout: CEREMONY_MS,
      userVerification: 'required',
    });
  }

  /** The new credential, or undefined when it does not verify (the reason goes to `onRefused`). */
  async verifyCreation(
    credential: RegistrationResponseJSON,
    challenge: string,
    onRefused: (reason: string) => void,
  ): Promise<NewCredential | undefined> {
    try {
      const result = await verifyRegistrationResponse({
        response: credential,
        expectedChallenge: challenge,
        expectedOrigin: this.rp.origins,
        expectedRPID: this.rp.rpId,
        requireUserVerification: true,
      });
      if (!result.verified) {
        onRefused('not verified');
        return undefined;
      }
      const { credential: verified } = result.registrationInfo;
      return {
        credentialId: verified.id,
        publicKey: Buffer.from(verified.publicKey).toString('base64url'),
        counter: verified.counter,
        transports: credential.response.transports ?? [],
      };
    } catch (error) {
      onRefused(error instanceof Error ? error.message : String(error));
      return undefined;
    }
  }

  /**
   * The assertion's new signature counter, or undefined when it does not verify. The library
   * refuses a counter that did not grow whenever either side keeps one (a clone lags behind).
   */
  async verifyAssertion(
    credential: AuthenticationResponseJSON,
    challenge: string,
    passkey: PasskeyRecord,
    onRefused: (reason: string) => void,
  ): Promise<number | undefined> {
    try {
      const result = await verifyAuthenticationResponse({
        response: credential,
        expectedChallenge: challenge,
        expectedOrigin: this.rp.origins,
        expectedRPID: this.rp.rpId,
        credential: {
          id: passkey.credential_id,
          publicKey: Buffer.from(passkey.public_key, 'base64url'),
          counter: passkey.counter,
          transports: passkey.transports,
        },
        requireUserVerification: true,
      });
      if (!result.verified) {
        onRefused('not verified');
        return undefined;
      }
      return result.authenticationInfo.newCounter;
    } catch (error) {
      onRefused(error instanceof Error ? error.message : String(error));
      return undefined;
    }
  }
}
