/**
 * Signing webhook requests as each provider does (reference/sms-domain.md §3), for the n8n webhook
 * node suites: where an official vector fits a request the nodes take, the suites use the vector
 * itself; these build the others.
 */
import { createHash, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** X-Twilio-Signature: base64 HMAC-SHA1(token, url + sorted name/value pairs of the form body). */
export function twilioSignature(token: string, url: string, params: Record<string, string> = {}): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', token).update(data).digest('base64');
}

/** Vonage SMS API `sig` (md5hash): md5 of `&k=v` sorted (`&` and `=` in values made `_`) + the secret. */
export function vonageSig(params: Record<string, string>, secret: string): string {
  const signed = Object.keys(params).sort().map((k) => `&${k}=${(params[k] as string).replace(/[&=]/g, '_')}`).join('');
  return createHash('md5').update(signed + secret).digest('hex');
}

/** Sinch HMAC headers: base64 HMAC-SHA256(secret, rawBody + "." + nonce + "." + timestamp). */
export function sinchHeaders(secret: string, rawBody: string, timestampS: number, nonce = '01JHFFHWYY7HSS4FWTMDTQEK8V'): Record<string, string> {
  const ts = String(timestampS);
  return {
    'x-sinch-webhook-signature': createHmac('sha256', secret).update(`${rawBody}.${nonce}.${ts}`).digest('base64'),
    'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
    'x-sinch-webhook-signature-nonce': nonce,
    'x-sinch-webhook-signature-timestamp': ts,
  };
}

/** A Telnyx key pair: the private key signs, `publicKey` is what Mission Control shows (raw 32 bytes, base64). */
export function telnyxKeys(): { privateKey: KeyObject; publicKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64') };
}

/** Telnyx headers: Ed25519 over `timestamp|rawBody`. */
export function telnyxHeaders(privateKey: KeyObject, rawBody: string, timestampS: number): Record<string, string> {
  const ts = String(timestampS);
  return {
    'telnyx-timestamp': ts,
    'telnyx-signature-ed25519': sign(null, Buffer.from(`${ts}|${rawBody}`), privateKey).toString('base64'),
  };
}

/** Epoch seconds now: timestamped signatures (Telnyx, Sinch) must be fresh. */
export function nowS(): number {
  return Math.floor(Date.now() / 1000);
}
