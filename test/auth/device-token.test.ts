import { describe, expect, it } from 'vitest';
import { DeviceTokens } from '../../src/auth/device-token.js';

const OLD_KEY = 'old-session-key-0123456789abcdefghijklmnop';
const NEW_KEY = 'new-session-key-0123456789abcdefghijklmnop';

describe('device tokens', () => {
  it('name the user they were issued for', () => {
    const devices = new DeviceTokens([NEW_KEY]);
    expect(devices.userOf(devices.issue('usr_alice'))).toBe('usr_alice');
  });

  it('name no one once any part is changed', () => {
    const devices = new DeviceTokens([NEW_KEY]);
    const [, random, mac] = devices.issue('usr_alice').split('.') as [string, string, string];
    expect(devices.userOf(`usr_admin.${random}.${mac}`)).toBeUndefined();
    expect(devices.userOf(`usr_alice.${random}x.${mac}`)).toBeUndefined();
    expect(devices.userOf(`usr_alice.${random}.${mac.slice(1)}A`)).toBeUndefined();
    expect(devices.userOf(`usr_alice.${random}`)).toBeUndefined();
    expect(devices.userOf(undefined)).toBeUndefined();
    expect(devices.userOf(`usr_alice.${'r'.repeat(300)}.${mac}`)).toBeUndefined();
  });

  it('stay valid while their key is still listed after a rotation, and not after it is dropped', () => {
    const token = new DeviceTokens([OLD_KEY]).issue('usr_alice');
    expect(new DeviceTokens([NEW_KEY, OLD_KEY]).userOf(token)).toBe('usr_alice');
    expect(new DeviceTokens([NEW_KEY]).userOf(token)).toBeUndefined();
  });
});
