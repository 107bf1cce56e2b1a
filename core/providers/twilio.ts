/**
 * Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form
 * encoded, HTTP Basic AccountSid:AuthToken (reference/sms-domain.md §1.2).
 */
import { SmsError, type SmsErrorCode } from '../errors';
import type { HttpResponse, OutboundSms, ProviderContext, SendResult, SmsProvider } from '../types';
import {
  baseUrlField,
  basicAuth,
  call,
  checkMessage,
  clip,
  codeFor,
  endpoint,
  formBody,
  httpError,
  instant,
  isRecord,
  parseJson,
  positiveInt,
  price,
  requireCredentials,
  sender,
  tryJson,
  unreadableAnswer,
  unsupported,
  validitySeconds,
} from './http';

const DEFAULT_BASE_URL = 'https://api.twilio.com';
// "integers from 1 to 36000. Default value is 36000" (Twilio API, ValidityPeriod).
const MAX_VALIDITY_SECONDS = 36_000;
// Twilio errors 35114/35117: SendAt must be 300 s to 35 days ahead, inclusive.
const MIN_SCHEDULE_MS = 300_000;
const MAX_SCHEDULE_MS = 35 * 24 * 3600_000;
// The SID becomes a path segment: anything else could walk the path or break it.
const ACCOUNT_SID = /^[A-Za-z0-9]{1,64}$/;

// Codes from the `{ code, message, more_info, status }` error body that say more than the status.
const ERROR_CODES: Record<string, SmsErrorCode> = {
  '20003': 'AUTH_FAILED',
  '20429': 'RATE_LIMITED',
  '21211': 'INVALID_PHONE', // invalid To
  '21614': 'INVALID_PHONE', // To is not a mobile number
  '21610': 'OPTED_OUT', // recipient replied STOP
  '35114': 'INVALID_INPUT', // SendAt outside the scheduling window
  '35118': 'INVALID_INPUT', // scheduling without a Messaging Service
};

export const twilio: SmsProvider = {
  id: 'twilio',
  displayName: 'Twilio',
  defaultBaseUrl: DEFAULT_BASE_URL,
  credentialFields: [
    { name: 'accountSid', displayName: 'Account SID', secret: false, required: true, description: 'Starts with AC' },
    { name: 'authToken', displayName: 'Auth Token', secret: true, required: true },
    {
      name: 'messagingServiceSid',
      displayName: 'Messaging Service SID',
      secret: false,
      required: false,
      description: 'Starts with MG. Picks the sender when none is given; required to schedule messages (sendAt)',
    },
    baseUrlField(DEFAULT_BASE_URL),
  ],

  async send(msg: OutboundSms, ctx: ProviderContext): Promise<SendResult> {
    checkMessage('twilio', msg);
    const { accountSid, authToken } = requireCredentials('twilio', ctx, ['accountSid', 'authToken']);
    if (!ACCOUNT_SID.test(accountSid)) {
      throw new SmsError('INVALID_INPUT', 'twilio: accountSid may hold only letters and digits (AC…)', { provider: 'twilio' });
    }
    const messagingServiceSid = ctx.credentials.messagingServiceSid?.trim() || undefined;
    const from = sender(msg);
    if (from === undefined && messagingServiceSid === undefined) {
      throw new SmsError('INVALID_INPUT', 'twilio: no sender; give from (a Twilio number or sender id) or set the credential messagingServiceSid', {
        provider: 'twilio',
      });
    }
    const validity = validitySeconds('twilio', msg.validitySeconds, MAX_VALIDITY_SECONDS);
    const sendAt = msg.sendAt === undefined ? undefined : scheduledAt(msg.sendAt, messagingServiceSid, ctx);

    const url = endpoint('twilio', ctx, DEFAULT_BASE_URL, `/2010-04-01/Accounts/${accountSid}/Messages.json`);
    const res = await call('twilio', ctx, {
      method: 'POST',
      url,
      headers: {
        authorization: basicAuth(accountSid, authToken),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: formBody({
        To: msg.to,
        From: from,
        MessagingServiceSid: messagingServiceSid,
        Body: msg.text,
        StatusCallback: msg.statusCallbackUrl,
        ValidityPeriod: validity,
        // Twilio has no client reference field: clientRef lives only in our result.
        ScheduleType: sendAt === undefined ? undefined : 'fixed',
        SendAt: sendAt,
      }),
    });
    if (res.status < 200 || res.status >= 300) throw twilioError(res);

    const answer = parseJson('twilio', res);
    if (!isRecord(answer) || typeof answer.sid !== 'string' || answer.sid === '') {
      throw unreadableAnswer('twilio', res, 'no message sid');
    }
    const result: SendResult = {
      provider: 'twilio',
      messageId: answer.sid,
      status: sendAt === undefined ? 'queued' : 'scheduled',
      to: msg.to,
      // With a Messaging Service, num_segments is "0" until the message is sent.
      segments: positiveInt(answer.num_segments) ?? msg.segments,
      encoding: msg.encoding,
      raw: answer,
    };
    const usedFrom = from ?? (typeof answer.from === 'string' && answer.from !== '' ? answer.from : undefined);
    if (usedFrom !== undefined) result.from = usedFrom;
    if (msg.clientRef !== undefined) result.clientRef = msg.clientRef;
    if (msg.idempotencyKey !== undefined) result.idempotencyKey = msg.idempotencyKey;
    const cost = price(answer.price, answer.price_unit);
    // Twilio reports charges as negative amounts ("-0.00750").
    if (cost) result.price = { ...cost, amount: Math.abs(cost.amount) };
    return result;
  },
};

/** SendAt as Twilio wants it, after the checks Twilio would otherwise fail with 35114/35118. */
function scheduledAt(value: string, messagingServiceSid: string | undefined, ctx: ProviderContext): string {
  const at = instant('twilio', value, 'sendAt');
  if (messagingServiceSid === undefined) {
    throw unsupported(
      'twilio',
      'sendAt without a Messaging Service',
      'set the credential messagingServiceSid (Twilio schedules only through one), or leave sendAt empty and hold the message with the Quiet-Hours Gate',
    );
  }
  const ahead = at - (ctx.now?.() ?? Date.now());
  if (ahead < MIN_SCHEDULE_MS || ahead > MAX_SCHEDULE_MS) {
    throw new SmsError('INVALID_INPUT', 'twilio: sendAt must be 5 minutes to 35 days ahead; leave it empty to send now', {
      provider: 'twilio',
    });
  }
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function twilioError(res: HttpResponse): SmsError {
  const b = tryJson(res.body);
  const providerCode = isRecord(b) ? clip(b.code, 20) : undefined;
  const message = isRecord(b) ? clip(b.message) : undefined;
  const code = codeFor(res, ERROR_CODES, providerCode);
  return httpError('twilio', res, { providerCode, message, code });
}
