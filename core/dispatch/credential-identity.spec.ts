import { credentialIdentity } from './credential-identity';

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
