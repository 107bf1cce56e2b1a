import { expectCode } from '../../test/support/sms-error';
import { inboundOptionsOf, statusOptionsOf } from './options';

describe('webhook node settings', () => {
  it('reads switches as on unless false, and leaves empty replies out', () => {
    expect(inboundOptionsOf({})).toEqual({ recordConsent: true, emitKeywordMessages: true, dedupe: true, keywords: { mode: 'exact' } });
    expect(
      inboundOptionsOf({ recordConsent: false, emitKeywordMessages: false, dedupe: false, keywordMode: 'lenient', defaultCountry: ' fr ', replyStop: 'Bye', replyStart: '  ', replyHelp: 'Help' }),
    ).toEqual({ recordConsent: false, emitKeywordMessages: false, dedupe: false, keywords: { mode: 'lenient' }, defaultCountry: 'FR', autoReply: { 'opt-out': 'Bye', help: 'Help' } });
    expect(statusOptionsOf({})).toEqual({ onlyFinal: false, dedupe: true, recordOptOuts: true });
    expect(statusOptionsOf({ onlyFinal: true, dedupe: false, recordOptOuts: false })).toEqual({ onlyFinal: true, dedupe: false, recordOptOuts: false });
  });

  it('refuses replies and countries that are not text', () => {
    expectCode(() => inboundOptionsOf({ replyStop: { text: 'x' } }), 'INVALID_INPUT', /STOP/);
    expectCode(() => inboundOptionsOf({ defaultCountry: 33 }), 'INVALID_INPUT', /Country/);
  });
});
