/**
 * One request → the OutboundSms a provider is given, or the reason it cannot be sent. In order:
 * shape (INVALID_INPUT), recipient (INVALID_PHONE), empty text (EMPTY_MESSAGE), encoding and
 * segments (SEGMENT_LIMIT), then the idempotency key. Nothing here does I/O.
 */
import { analyzeText } from '../encoding';
import { SmsError, type SmsErrorCode } from '../errors';
import { normalizePhone } from '../phone';
import type { OutboundSms, ProviderId, TextAnalysis } from '../types';
import { checkRequest, type CheckedRequest } from './check-request';
import { deriveIdempotencyKey } from './idempotency-key';

export interface PrepareSettings {
  provider: ProviderId;
  defaultCountry?: string;
  smartEncoding: boolean;
  maxSegments: number;
  idempotencyScope: string;
  /** publicAccountId of the credentials, mixed into derived keys. */
  account?: string;
}

export interface PreparedMessage {
  msg: OutboundSms & { idempotencyKey: string };
  analysis: TextAnalysis;
}

export type Preparation = { ok: true; prepared: PreparedMessage } | { ok: false; error: SmsError; analysis?: TextAnalysis };

// A library bug (a TypeError from deep inside) still becomes a coded error of the step it broke.
function coded(e: unknown, code: SmsErrorCode): SmsError {
  return e instanceof SmsError ? e : new SmsError(code, e instanceof Error ? e.message : String(e), { cause: e });
}

function isBlank(text: string): boolean {
  // \s does not cover the zero-width characters that pasted text often carries.
  return text.replace(/[\s\u200B-\u200D\u2060\uFEFF]/g, '') === '';
}

export function prepareMessage(item: unknown, settings: PrepareSettings): Preparation {
  let checked: CheckedRequest;
  try {
    checked = checkRequest(item);
  } catch (e) {
    return { ok: false, error: coded(e, 'INVALID_INPUT') };
  }

  let e164: string;
  try {
    const opts = settings.defaultCountry === undefined ? {} : { defaultCountry: settings.defaultCountry };
    e164 = normalizePhone(checked.to, opts).e164;
  } catch (e) {
    return { ok: false, error: coded(e, 'INVALID_PHONE') };
  }

  if (isBlank(checked.text)) return { ok: false, error: new SmsError('EMPTY_MESSAGE', 'the message text is empty') };

  let analysis: TextAnalysis;
  try {
    analysis = analyzeText(checked.text, { smartEncoding: settings.smartEncoding });
  } catch (e) {
    return { ok: false, error: coded(e, 'INVALID_INPUT') };
  }
  if (isBlank(analysis.text)) {
    return { ok: false, error: new SmsError('EMPTY_MESSAGE', 'the message text is empty after smart encoding'), analysis };
  }
  if (analysis.segments > settings.maxSegments) {
    const error = new SmsError(
      'SEGMENT_LIMIT',
      `the message needs ${analysis.segments} segments (${analysis.encoding}, ${analysis.units} units); the limit is ${settings.maxSegments}`,
    );
    return { ok: false, error, analysis };
  }

  const idempotencyKey =
    checked.idempotencyKey ??
    deriveIdempotencyKey({
      provider: settings.provider,
      to: e164,
      text: analysis.text,
      ...(checked.from === undefined ? {} : { from: checked.from }),
      scope: settings.idempotencyScope,
      ...(checked.sendAt === undefined ? {} : { sendAt: checked.sendAt }),
      ...(settings.account === undefined ? {} : { account: settings.account }),
    });

  const msg: PreparedMessage['msg'] = {
    to: e164,
    text: analysis.text,
    encoding: analysis.encoding,
    segments: analysis.segments,
    idempotencyKey,
  };
  if (checked.from !== undefined) msg.from = checked.from;
  if (checked.clientRef !== undefined) msg.clientRef = checked.clientRef;
  if (checked.sendAt !== undefined) msg.sendAt = checked.sendAt;
  if (checked.validitySeconds !== undefined) msg.validitySeconds = checked.validitySeconds;
  if (checked.statusCallbackUrl !== undefined) msg.statusCallbackUrl = checked.statusCallbackUrl;
  return { ok: true, prepared: { msg, analysis } };
}
