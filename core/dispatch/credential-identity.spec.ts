import { plivo } from '../providers/plivo';
import { sandbox } from '../providers/sandbox';
import { telnyx } from '../providers/telnyx';
import { twilio } from '../providers/twilio';
import { vonage } from '../providers/vonage';
import type { CredentialField } from '../types';
import { credentialIdentity, publicAccountId } from './credential-identity';

const creds = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'super-secret-token-value' };

describe('credentialIdentity', () => {
  it('never contains a credential value', () => {
    const id = credentialIdentity('twilio', creds);
    expect(id).not.toContain(creds.authToken);
    expect(id).not.toContain(creds.accountSid);
    expect(id).toMatch(/^twilio:[0-9a-f]{32}$/);
  });

  it('is the same for the same values in any order, and ignores empty fields', () => {
    const a = credentialIdentity('twilio', creds);
    expect(credentialIdentity('twilio', { authToken: creds.authToken, accountSid: creds.accountSid })).toBe(a);
    expect(credentialIdentity('twilio', { ...creds, baseUrl: '', messagingServiceSid: undefined })).toBe(a);
  });

  it('differs per provider and per credential value', () => {
    const a = credentialIdentity('twilio', creds);
    expect(credentialIdentity('plivo', creds)).not.toBe(a);
    expect(credentialIdentity('twilio', { ...creds, authToken: 'other' })).not.toBe(a);
    expect(credentialIdentity('twilio', { ...creds, baseUrl: 'http://127.0.0.1:1' })).not.toBe(a);
  });

  it('copes with no credentials and with hostile field names', () => {
    expect(credentialIdentity('sandbox', {})).toMatch(/^sandbox:/);
    expect(credentialIdentity('sandbox', { ['"],["x']: 'y', __proto__x: 'z' })).toMatch(/^sandbox:[0-9a-f]{32}$/);
  });
});

describe('publicAccountId', () => {
  it("names the account by the provider's first required credential that is not secret, never by a secret", () => {
    expect(publicAccountId(twilio, creds)).toBe(`accountSid:${creds.accountSid}`);
    expect(publicAccountId(vonage, { apiKey: ' abc123 ', apiSecret: 'vonage-secret' })).toBe('apiKey:abc123');
    expect(publicAccountId(plivo, { authId: 'MAXXXX', authToken: 'plivo-secret' })).toBe('authId:MAXXXX');
  });

  it('is undefined when the provider has no such field (Telnyx, the sandbox) or it is blank', () => {
    expect(publicAccountId(telnyx, { apiKey: 'KEY-secret', publicKey: 'pk' })).toBeUndefined();
    expect(publicAccountId(sandbox, {})).toBeUndefined();
    expect(publicAccountId(twilio, { accountSid: '   ', authToken: 't' })).toBeUndefined();
    expect(publicAccountId(twilio, { authToken: 't' })).toBeUndefined();
  });

  it('survives a provider object with malformed credential fields', () => {
    const fields = [null, 'accountSid', { name: 'token', secret: true, required: true }] as unknown as CredentialField[];
    expect(publicAccountId({ credentialFields: fields }, { token: 'secret-value' })).toBeUndefined();
    expect(publicAccountId({ credentialFields: undefined as unknown as CredentialField[] }, {})).toBeUndefined();
  });
});
