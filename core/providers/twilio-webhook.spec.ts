import { createHmac } from 'node:crypto';
import { expectCode, thrown } from '../../test/support/sms-error';
import type { WebhookRequest } from '../types';
import { twilio } from './twilio';

// Official vectors: twilio-node spec/validation.spec.js (reference/sms-domain.md §3.2).
const TOKEN = '12345';
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
const JSON_BODY = '{"property": "value", "boolean": true}';
const JSON_HASH = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
const EMPTY_HASH = '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

type FormValue = string | string[];

function nullProto<T extends object>(o: T): T {
  return Object.assign(Object.create(null), o) as T;
}

function queryOf(url: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  let search: URLSearchParams;
  try {
    search = new URL(url).searchParams;
  } catch {
    return out;
  }
  for (const [k, v] of search) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** A form POST as core/webhook/request.ts builds it: exact bytes, parsed null-prototype body. */
function formPost(url: string, params: Record<string, FormValue>, headers: Record<string, string> = {}): WebhookRequest {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) sp.append(k, one);
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    rawBody: Buffer.from(sp.toString()),
    body: nullProto(params),
    query: queryOf(url),
  };
}

function jsonPost(url: string, raw: string, headers: Record<string, string> = {}): WebhookRequest {
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    rawBody: Buffer.from(raw),
    body: JSON.parse(raw) as unknown,
    query: queryOf(url),
  };
}

function get(url: string, headers: Record<string, string> = {}): WebhookRequest {
  return { method: 'GET', url, headers, rawBody: Buffer.alloc(0), body: nullProto({}), query: queryOf(url) };
}

const signed = (sig: string) => ({ 'x-twilio-signature': sig });
const verify = (req: WebhookRequest, token = TOKEN) => twilio.verifySignature(req, { accountSid: 'AC1', authToken: token });
const sign = (data: string, token = TOKEN) => createHmac('sha1', token).update(data).digest('base64');

describe('twilio.verifySignature: official vectors (§3.2)', () => {
  it('form POST: URL + sorted params', () => {
    expect(verify(formPost(URL_, PARAMS, signed('RSOYDt4T1cUTdK1PDd93/VVr8B8=')))).toBe(true);
  });

  it('JSON body: empty params, bodySHA256 in the URL equal to sha256(rawBody)', () => {
    expect(verify(jsonPost(`${URL_}&bodySHA256=${JSON_HASH}`, JSON_BODY, signed('a9nBmqA0ju/hNViExpshrM61xv4=')))).toBe(true);
  });

  it('JSON body {}: the empty-body vector', () => {
    expect(verify(jsonPost(`${URL_}&bodySHA256=${EMPTY_HASH}`, '{}', signed('Ldidvp12m26NI7eqEvxnEpkd9Hc=')))).toBe(true);
  });

  it('JSON body with bodySHA256 as the only query parameter', () => {
    const url = `https://mycompany.com/myapp.php?bodySHA256=${JSON_HASH}`;
    expect(verify(jsonPost(url, JSON_BODY, signed('y77kIzt2vzLz71DgmJGsen2scGs=')))).toBe(true);
  });

  it('http with port 1234: signed with the port', () => {
    expect(verify(formPost('http://mycompany.com:1234/myapp.php?foo=1&bar=2', PARAMS, signed('Zmvh+3yNM1Phv2jhDCwEM3q5ebU=')))).toBe(true);
  });

  it('https with port 1234: signed without it', () => {
    expect(verify(formPost('https://mycompany.com:1234/myapp.php?foo=1&bar=2', PARAMS, signed('RSOYDt4T1cUTdK1PDd93/VVr8B8=')))).toBe(true);
  });

  it.each([
    ['https signed with :443', URL_, 'kvajT1Ptam85bY51eRf/AJRuM3w='],
    ['http signed with :80', URL_.replace('https', 'http'), '0ZXoZLH/DfblKGATFgpif+LLRf4='],
    ['URL with credentials', 'https://user:pass@mycompany.com/myapp.php?foo=1&bar=2', 'CukzLTc1tT5dXEDIHm/tKBanW10='],
    ['URL with a user name only', 'https://user@mycompany.com/myapp.php?foo=1&bar=2', '2YRLlVAflCqxaNicjMpJcSTgzSs='],
    ['URL with credentials, signed with :443', 'https://user:pass@mycompany.com/myapp.php?foo=1&bar=2', 'ZQFR1PTIZXF2MXB8ZnKCvnnA+rI='],
    ['query with special characters (legacy re-encoding)', `${URL_}&Body=It's+amazing`, 'dsq4Ehbj6cs+KdTkpF5sSSplOWw='],
  ])('standard-port and encoding variants: %s', (_label, url, sig) => {
    expect(verify(formPost(url, PARAMS, signed(sig)))).toBe(true);
  });

  it('array parameters: de-duplicated and sorted, in any order', () => {
    const sig = signed('83O6e2vORAoJHUNzJjDWN1jz+BA=');
    expect(verify(formPost(URL_, { 'MessagingBinding.Address': ['+1325xxxxxxx', '+1415xxxxxxx'] }, sig))).toBe(true);
    expect(verify(formPost(URL_, { 'MessagingBinding.Address': ['+1415xxxxxxx', '+1325xxxxxxx'] }, sig))).toBe(true);
    const multi = { Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234', '1234'] };
    expect(verify(formPost(URL_, multi, signed('IK+Dwps556ElfBT0I3Rgjkr1wJU=')))).toBe(true);
  });

  it('GET: the URL alone', () => {
    const url = 'https://example.com/sms?MessageSid=SM1&From=%2B14155550100&Body=hi';
    expect(verify(get(url, signed(sign(url))))).toBe(true);
    expect(verify(get(url, signed(sign(`${url}x`))))).toBe(false);
  });
});

describe('twilio.verifySignature: refusals', () => {
  const good = () => formPost(URL_, PARAMS, signed('RSOYDt4T1cUTdK1PDd93/VVr8B8='));

  it('a tampered parameter, an added parameter, a removed parameter', () => {
    expect(verify(formPost(URL_, { ...PARAMS, Digits: '1235' }, signed('RSOYDt4T1cUTdK1PDd93/VVr8B8=')))).toBe(false);
    expect(verify(formPost(URL_, { ...PARAMS, Extra: '' }, signed('RSOYDt4T1cUTdK1PDd93/VVr8B8=')))).toBe(false);
    const { Digits: _dropped, ...fewer } = PARAMS;
    expect(verify(formPost(URL_, fewer, signed('RSOYDt4T1cUTdK1PDd93/VVr8B8=')))).toBe(false);
  });

  it('a tampered URL: another path, host, query value or scheme', () => {
    for (const url of [
      'https://mycompany.com/other.php?foo=1&bar=2',
      'https://evil.example/myapp.php?foo=1&bar=2',
      'https://mycompany.com/myapp.php?foo=1&bar=3',
      'https://mycompany.com/myapp.php?foo=1&bar=2&x=1',
      'http://mycompany.com:1234/myapp.php?foo=1&bar=2',
    ]) {
      expect([url, verify(formPost(url, PARAMS, signed('RSOYDt4T1cUTdK1PDd93/VVr8B8=')))]).toEqual([url, false]);
    }
  });

  it('a tampered JSON body, a wrong or repeated bodySHA256', () => {
    const sig = signed('a9nBmqA0ju/hNViExpshrM61xv4=');
    expect(verify(jsonPost(`${URL_}&bodySHA256=${JSON_HASH}`, '{"property": "value", "boolean": false}', sig))).toBe(false);
    expect(verify(jsonPost(`${URL_}&bodySHA256=${EMPTY_HASH}`, JSON_BODY, sig))).toBe(false);
    expect(verify(jsonPost(`${URL_}&bodySHA256=${JSON_HASH}&bodySHA256=${JSON_HASH}`, JSON_BODY, sig))).toBe(false);
  });

  it('a JSON body without bodySHA256 is unsigned', () => {
    const req = jsonPost(URL_, JSON.stringify(PARAMS), signed('RSOYDt4T1cUTdK1PDd93/VVr8B8='));
    expect(verify(req)).toBe(false);
  });

  it('the wrong token', () => {
    expect(verify(good(), '54321')).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['one character short', 'RSOYDt4T1cUTdK1PDd93/VVr8B8'],
    ['one character long', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=='],
    ['another case', 'rsoydt4t1cutdk1pdd93/vvr8b8='],
    ['garbage', '\u0000<script>'],
    ['huge', 'A'.repeat(100_000)],
    ['two signatures joined', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=, RSOYDt4T1cUTdK1PDd93/VVr8B8='],
  ])('a header that is %s', (_label, sig) => {
    const req = good();
    req.headers = { ...req.headers, 'x-twilio-signature': sig };
    expect(verify(req)).toBe(false);
  });

  it('never throws on a hostile request, only false', () => {
    const sig = signed('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    const hostile: unknown[] = [
      { ...good(), url: 'not a url' },
      { ...good(), url: undefined },
      { ...good(), method: undefined },
      { ...good(), body: [1, 2] },
      { ...good(), body: null },
      { ...good(), body: { a: { nested: true } } },
      { ...good(), headers: undefined },
      { ...good(), rawBody: undefined, url: `${URL_}&bodySHA256=${JSON_HASH}` },
      { ...formPost(URL_, PARAMS, sig), body: JSON.parse('{"__proto__":"x"}') },
      null,
      'string',
    ];
    for (const req of hostile) expect(verify(req as WebhookRequest)).toBe(false);
  });

  it('without an authToken: MISSING_CREDENTIALS, a configuration error', () => {
    for (const creds of [{}, { authToken: '' }, { authToken: '   ' }]) {
      const e = expectCode(() => twilio.verifySignature(good(), creds), 'MISSING_CREDENTIALS', /twilio: .*authToken/);
      expect(e.message).not.toContain('RSOY');
    }
  });
});

describe('twilio.parseInbound', () => {
  const inbound = (over: Record<string, FormValue> = {}) =>
    formPost('https://hooks.example.com/sms', {
      MessageSid: 'SM0123456789abcdef0123456789abcdef',
      SmsMessageSid: 'SM0123456789abcdef0123456789abcdef',
      AccountSid: 'AC0123456789abcdef0123456789abcdef',
      From: '+14155550100',
      To: '+14155550199',
      Body: 'Hello there',
      NumSegments: '1',
      NumMedia: '0',
      FromCountry: 'US',
      ...over,
    });

  it('reads the form into an InboundSms, raw holding every parameter', () => {
    const before = Date.now();
    const [m, ...rest] = twilio.parseInbound(inbound());
    expect(rest).toEqual([]);
    expect(m).toMatchObject({
      provider: 'twilio',
      messageId: 'SM0123456789abcdef0123456789abcdef',
      from: '+14155550100',
      to: '+14155550199',
      text: 'Hello there',
      keyword: null,
      parts: 1,
    });
    expect(Date.parse(m?.receivedAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
    expect(m?.raw).toMatchObject({ FromCountry: 'US', NumMedia: '0' });
  });

  it('falls back to SmsMessageSid, reads an empty body (MMS) as empty text, counts segments', () => {
    const req = inbound({ Body: '', NumSegments: '3' });
    delete (req.body as Record<string, unknown>).MessageSid;
    const [m] = twilio.parseInbound(req);
    expect(m).toMatchObject({ messageId: 'SM0123456789abcdef0123456789abcdef', text: '', parts: 3 });
  });

  it('detects keywords, and follows Twilio’s OptOutType when our list does not know the word', () => {
    expect(twilio.parseInbound(inbound({ Body: 'stop' }))[0]?.keyword).toEqual({ intent: 'opt-out', keyword: 'STOP' });
    expect(twilio.parseInbound(inbound({ Body: 'Cancelar', OptOutType: 'STOP' }))[0]?.keyword).toEqual({
      intent: 'opt-out',
      keyword: 'CANCELAR',
    });
    expect(twilio.parseInbound(inbound({ Body: 'hello', OptOutType: 'NONSENSE' }))[0]?.keyword).toBeNull();
    expect(twilio.parseInbound(inbound({ Body: 'info please', OptOutType: 'help' }))[0]?.keyword).toEqual({
      intent: 'help',
      keyword: 'INFO PLEASE',
    });
  });

  it('reads a GET from the query', () => {
    const [m] = twilio.parseInbound(get('https://hooks.example.com/sms?MessageSid=SM1&From=%2B14155550100&To=%2B14155550199&Body=hi'));
    expect(m).toMatchObject({ messageId: 'SM1', from: '+14155550100', text: 'hi' });
  });

  it.each([
    ['no message id', { MessageSid: '', SmsMessageSid: '' }, /"MessageSid" is missing/],
    ['an id with other characters', { MessageSid: 'SM1/../x' }, /"MessageSid" must be a Twilio SID/],
    ['an id of 100k characters', { MessageSid: 'S'.repeat(100_000) }, /"MessageSid" is longer than 64/],
    ['no sender', { From: '' }, /"From" is missing/],
    ['no recipient', { To: '' }, /"To" is missing/],
    ['two different senders', { From: ['+14155550100', '+14155550101'] }, /"From" is repeated/],
    ['a body of 100k characters', { Body: 'x'.repeat(100_000) }, /"Body" is longer than 10000/],
    ['a bad segment count', { NumSegments: 'many' }, /"NumSegments" must be a positive whole number/],
  ])('refuses %s with INVALID_INPUT naming the field', (_label, over, message) => {
    const e = expectCode(() => twilio.parseInbound(inbound(over as Record<string, FormValue>)), 'INVALID_INPUT', message);
    expect(e.message).toMatch(/^twilio: /);
  });

  it('refuses bodies that are not parameters', () => {
    for (const body of [null, 'Body=hi', [{ MessageSid: 'SM1' }], 42, { MessageSid: { $ne: 1 } }]) {
      expectCode(() => twilio.parseInbound({ ...inbound(), body }), 'INVALID_INPUT', /^twilio: /);
    }
  });

  it('keeps __proto__ and constructor fields as plain data', () => {
    const req = inbound();
    req.body = Object.assign(JSON.parse('{"__proto__":"x","constructor":"y"}'), req.body);
    const [m] = twilio.parseInbound(req);
    expect(Object.getPrototypeOf(m?.raw)).toBeNull();
    expect((m?.raw as Record<string, unknown>)['__proto__']).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('twilio.parseStatus', () => {
  const status = (over: Record<string, FormValue> = {}) =>
    formPost('https://hooks.example.com/dlr', {
      MessageSid: 'SM0123456789abcdef0123456789abcdef',
      SmsSid: 'SM0123456789abcdef0123456789abcdef',
      MessageStatus: 'delivered',
      SmsStatus: 'delivered',
      AccountSid: 'AC0123456789abcdef0123456789abcdef',
      From: '+14155550199',
      To: '+14155550100',
      ApiVersion: '2010-04-01',
      RawDlrDoneDate: '2301011200',
      ...over,
    });

  it('reads a delivered callback', () => {
    const [r, ...rest] = twilio.parseStatus(status());
    expect(rest).toEqual([]);
    expect(r).toEqual({
      provider: 'twilio',
      messageId: 'SM0123456789abcdef0123456789abcdef',
      status: 'delivered',
      final: true,
      providerStatus: 'delivered',
      to: '+14155550100',
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // RawDlrDoneDate has no zone: the arrival time is used, not a guess.
    expect(r?.occurredAt.startsWith('2023-01-01')).toBe(false);
  });

  it.each([
    ['queued', 'queued', false],
    ['sent', 'sent', false],
    ['undelivered', 'undelivered', true],
    ['failed', 'failed', true],
    ['read', 'delivered', true],
    ['canceled', 'canceled', true],
  ])('maps %s to %s', (word, normalized, final) => {
    expect(twilio.parseStatus(status({ MessageStatus: word }))[0]).toMatchObject({ status: normalized, final, providerStatus: word });
  });

  it('carries the error code and message (21610: the recipient opted out)', () => {
    const [r] = twilio.parseStatus(
      status({ MessageStatus: 'undelivered', ErrorCode: '21610', ErrorMessage: 'Attempt to send to unsubscribed recipient' }),
    );
    expect(r).toMatchObject({ status: 'undelivered', errorCode: '21610', errorMessage: 'Attempt to send to unsubscribed recipient' });
  });

  it('falls back to SmsSid / SmsStatus', () => {
    const req = status({ SmsStatus: 'sent' });
    delete (req.body as Record<string, unknown>).MessageSid;
    delete (req.body as Record<string, unknown>).MessageStatus;
    expect(twilio.parseStatus(req)[0]).toMatchObject({ messageId: 'SM0123456789abcdef0123456789abcdef', status: 'sent' });
  });

  it.each([
    ['no message id', { MessageSid: '', SmsSid: '' }, /"MessageSid" is missing/],
    ['no status', { MessageStatus: '', SmsStatus: '' }, /"MessageStatus" is missing/],
    ['an unknown status', { MessageStatus: 'teleported' }, /Unknown twilio delivery status "teleported"/],
    ['a status of 100k characters', { MessageStatus: 's'.repeat(100_000) }, /"MessageStatus" is longer than/],
    ['an error code of 100k characters', { ErrorCode: '1'.repeat(100_000) }, /"ErrorCode" is longer than 20/],
  ])('refuses %s', (_label, over, message) => {
    expectCode(() => twilio.parseStatus(status(over as Record<string, FormValue>)), 'INVALID_INPUT', message);
  });

  it('refuses bodies that are not parameters', () => {
    for (const body of [null, [], 'MessageSid=SM1', true]) {
      expect(thrown(() => twilio.parseStatus({ ...status(), body })).code).toBe('INVALID_INPUT');
    }
  });
});

describe('twilio.webhookResponse', () => {
  it('answers inbound with TwiML: empty, or one escaped <Message>', () => {
    expect(twilio.repliesInResponse).toBe(true);
    expect(twilio.webhookResponse('inbound')).toEqual({
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: '<?xml version="1.0" encoding="UTF-8"?><Response/>',
    });
    expect(twilio.webhookResponse('inbound', 'You are unsubscribed. Reply START to resume.').body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>You are unsubscribed. Reply START to resume.</Message></Response>',
    );
  });

  it('escapes markup and strips characters XML 1.0 forbids', () => {
    const body = twilio.webhookResponse('inbound', `<Redirect>x</Redirect> & "q" 'a' \u0000\u0007\uFFFE\uD800 ok 😀`).body;
    expect(body).toContain('<Message>&lt;Redirect&gt;x&lt;/Redirect&gt; &amp; &quot;q&quot; &apos;a&apos;  ok 😀</Message>');
    expect(body).not.toMatch(/[\u0000\u0007\uFFFE]/);
  });

  it('an empty reply is no message', () => {
    expect(twilio.webhookResponse('inbound', '').body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it('answers status callbacks with an empty 200', () => {
    expect(twilio.webhookResponse('status')).toEqual({ status: 200 });
    expect(twilio.webhookResponse('status', 'ignored')).toEqual({ status: 200 });
  });

  it('refuses a kind or reply of the wrong type', () => {
    expectCode(() => twilio.webhookResponse('other' as 'status'), 'INVALID_INPUT');
    expectCode(() => twilio.webhookResponse('inbound', 42 as unknown as string), 'INVALID_INPUT');
  });
});
