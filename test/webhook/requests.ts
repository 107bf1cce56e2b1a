/**
 * Webhook requests as providers send them, signed the way each provider signs (reference
 * sms-domain.md §3), for the pipeline's tests: the specs build requests here, not by hand.
 */
import { createHash, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { RawWebhookRequest } from '../../core/webhook/types';

export const SANDBOX_SECRET = 'sandbox-hook-secret-1';
export const TWILIO_TOKEN = 'twilio-token-123';
export const VONAGE_SECRET = 'vonage-signature-secret-1';

/** The sandbox's JSON body with `x-sandbox-signature` = hex HMAC-SHA256(secret, raw body). */
export function sandboxRequest(body: unknown, secret = SANDBOX_SECRET, url = 'https://hooks.example.com/sms'): RawWebhookRequest {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', 'x-sandbox-signature': createHmac('sha256', secret).update(raw).digest('hex') },
    rawBody: raw,
  };
}

/** A Twilio form post with X-Twilio-Signature = base64 HMAC-SHA1(token, url + sorted key/value pairs). */
export function twilioRequest(params: Record<string, string>, url = 'https://hooks.example.com/twilio', token = TWILIO_TOKEN): RawWebhookRequest {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': createHmac('sha1', token).update(data).digest('base64') },
    rawBody: Buffer.from(new URLSearchParams(params).toString()),
  };
}

/** A Vonage SMS API form post signed with `sig` (md5hash: md5 of `&k=v…` sorted, then the secret). */
export function vonageRequest(params: Record<string, string>, secret = VONAGE_SECRET, url = 'https://hooks.example.com/vonage'): RawWebhookRequest {
  const signed = Object.keys(params).sort().map((k) => `&${k}=${(params[k] as string).replace(/[&=]/g, '_')}`).join('');
  const sig = createHash('md5').update(signed + secret).digest('hex');
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    rawBody: Buffer.from(new URLSearchParams({ ...params, sig }).toString()),
  };
}

/** A Telnyx key pair: the private key signs, `publicKey` is what Mission Control shows (raw 32 bytes, base64). */
export function telnyxKeys(): { privateKey: KeyObject; publicKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64') };
}

/** A Telnyx JSON event signed with Ed25519 over `timestamp|body`; `timestampS` in epoch seconds. */
export function telnyxRequest(body: unknown, privateKey: KeyObject, timestampS: number, url = 'https://hooks.example.com/telnyx'): RawWebhookRequest {
  const raw = Buffer.from(JSON.stringify(body));
  const ts = String(timestampS);
  return {
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      'telnyx-timestamp': ts,
      'telnyx-signature-ed25519': sign(null, Buffer.concat([Buffer.from(`${ts}|`), raw]), privateKey).toString('base64'),
    },
    rawBody: raw,
  };
}
