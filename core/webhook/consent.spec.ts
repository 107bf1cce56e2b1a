import { SmsError } from '../errors';
import { useTempStore } from '../../test/support/temp-store';
import { failing } from '../../test/webhook/store-state';
import { provesOptOut, recordIfChanged } from './consent';

const temp = useTempStore('a2p-webhook-consent-');
const ALICE = '+14155550100';
const stop = (messageId: string) => ({ phone: ALICE, action: 'opt-out' as const, source: 'sms', evidence: { messageId, provider: 'sandbox' } });

describe('provesOptOut', () => {
  it('knows Twilio 21610, Telnyx 40300 and Vonage 9, and nothing else', () => {
    expect([provesOptOut('twilio', '21610'), provesOptOut('telnyx', '40300'), provesOptOut('vonage', '9')]).toEqual([true, true, true]);
    expect([provesOptOut('twilio', '9'), provesOptOut('vonage', '21610'), provesOptOut('sinch', '40300'), provesOptOut('twilio', undefined)]).toEqual([false, false, false, false]);
    expect(provesOptOut('twilio', '__proto__')).toBe(false);
  });
});

describe('recordIfChanged', () => {
  it('records an opt-out of every topic, and nothing while the number stays opted out', async () => {
    expect(await recordIfChanged(temp.store, stop('a'))).toBe(true);
    expect(await recordIfChanged(temp.store, stop('b'))).toBe(false);
    expect(await temp.store.consentHistory(ALICE)).toEqual([expect.objectContaining({ topic: '*', action: 'opt-out', source: 'sms' })]);
  });

  it('records a message once, even after a later opt-in overrode it', async () => {
    await recordIfChanged(temp.store, stop('a'));
    await recordIfChanged(temp.store, { ...stop('b'), action: 'opt-in' });
    expect(await recordIfChanged(temp.store, stop('a'))).toBe(false);
    expect(await recordIfChanged(temp.store, { ...stop('a'), source: 'provider-error' })).toBe(true);
  });

  it('records nothing for a sender that is not a phone number, and says so', async () => {
    const lines: string[] = [];
    expect(await recordIfChanged(temp.store, { ...stop('a'), phone: 'ACME' }, (_l, m) => lines.push(m))).toBe(false);
    expect(lines).toEqual(['sandbox opt-out from a sender that is not a valid phone number: not recorded in the consent ledger']);
  });

  it('passes store failures on', async () => {
    await expect(recordIfChanged(failing(temp.store, 'recordConsent'), stop('a'))).rejects.toBeInstanceOf(SmsError);
  });
});
