/**
 * Pointing a provider's inbound-SMS webhook at a node's URL through the provider's own API, for the
 * providers that have one (issue 4): Twilio (per phone number), Telnyx (per messaging profile),
 * Plivo (per application) and Vonage (account-wide). For Infobip, Sinch and the sandbox there is
 * no such API; their nodes show the URL to paste.
 *
 * Changing where a number's messages go is a visible act, so every step reads first: `register`
 * writes only when the setting differs, `unregister` clears only a setting that still holds our
 * URL — never one a person or another system put there since.
 *
 * Calls go through `ctx.http` with the credentials exactly as the providers' `send` uses them, and
 * fail with the same coded errors (AUTH_FAILED, RATE_LIMITED, NETWORK_ERROR, ...); a target the
 * account does not have is INVALID_INPUT.
 */
import { SmsError } from '../errors';
import { normalizePhone } from '../phone';
import {
  basicAuth,
  bearer,
  call,
  clip,
  endpoint,
  formBody,
  httpError,
  isRecord,
  parseJson,
  requireCredentials,
  scrubbed,
  tryJson,
} from '../providers/http';
import { getProvider } from '../providers/registry';
import type { HttpRequest, HttpResponse, ProviderContext, ProviderId } from '../types';
import { checkedPublicUrl } from './request';

export interface InboundRegistration {
  /** What the user names for the setting to change ('Phone Number'); empty when it is account-wide. */
  targetName: string;
  /** One sentence for the editor: what the target is and what registering changes. */
  targetDescription: string;
  /** False when the setting is account-wide and `target` is ignored (Vonage). */
  targetRequired: boolean;
  /** True when the target's inbound webhook is `url` (with method POST where the provider has one). */
  check(ctx: ProviderContext, target: string, url: string): Promise<boolean>;
  /** Sets the target's inbound webhook to `url` (method POST); writes nothing when it already is. */
  register(ctx: ProviderContext, target: string, url: string): Promise<void>;
  /** Clears the target's inbound webhook if it is still `url`; someone else's URL is left alone. */
  unregister(ctx: ProviderContext, target: string, url: string): Promise<void>;
}

/** How one provider reads and writes the inbound webhook of a target. */
interface WebhookSetting<H> {
  provider: ProviderId;
  targetName: string;
  targetDescription: string;
  targetRequired: boolean;
  /** Credential values that must never appear in an error. */
  secrets(ctx: ProviderContext): string[];
  read(ctx: ProviderContext, target: string): Promise<{ url: string | undefined; post: boolean; handle: H }>;
  /** `url` null clears the setting. */
  write(ctx: ProviderContext, handle: H, url: string | null): Promise<void>;
}

export function inboundRegistration(provider: ProviderId): InboundRegistration | undefined {
  switch (provider) {
    case 'twilio':
      return registrationOf(twilioNumber);
    case 'telnyx':
      return registrationOf(telnyxProfile);
    case 'plivo':
      return registrationOf(plivoApplication);
    case 'vonage':
      return registrationOf(vonageAccount);
    default:
      return undefined;
  }
}

function registrationOf<H>(setting: WebhookSetting<H>): InboundRegistration {
  const guarded = <T>(ctx: ProviderContext, run: () => Promise<T>): Promise<T> =>
    scrubbed(setting.provider, secretsOf(setting, ctx), run);
  return {
    targetName: setting.targetName,
    targetDescription: setting.targetDescription,
    targetRequired: setting.targetRequired,
    check: (ctx, target, url) =>
      guarded(ctx, async () => {
        const ours = webhookUrl(setting.provider, url);
        const now = await setting.read(ctx, target);
        return now.url === ours && now.post;
      }),
    register: (ctx, target, url) =>
      guarded(ctx, async () => {
        const ours = webhookUrl(setting.provider, url);
        const now = await setting.read(ctx, target);
        if (now.url !== ours || !now.post) await setting.write(ctx, now.handle, ours);
      }),
    unregister: (ctx, target, url) =>
      guarded(ctx, async () => {
        const ours = webhookUrl(setting.provider, url);
        const now = await setting.read(ctx, target);
        if (now.url === ours) await setting.write(ctx, now.handle, null);
      }),
  };
}

function secretsOf<H>(setting: WebhookSetting<H>, ctx: ProviderContext): string[] {
  try {
    return setting.secrets(ctx);
  } catch {
    // Credentials missing altogether: the call itself reports that, with nothing to hide.
    return [];
  }
}

/** The node's URL as a provider will be given it: absolute http(s), no query, no user or password. */
function webhookUrl(provider: ProviderId, url: string): string {
  try {
    return checkedPublicUrl(typeof url === 'string' ? url.trim() : '');
  } catch {
    throw new SmsError('INVALID_INPUT', `${provider}: the webhook URL to register must be an absolute http(s) URL without query, fragment, user or password`, {
      provider,
    });
  }
}

/** An id the provider gave the user, safe to put in a URL path. */
function pathId(provider: ProviderId, target: string, what: string): string {
  const id = typeof target === 'string' ? target.trim() : '';
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(id)) {
    throw new SmsError('INVALID_INPUT', `${provider}: the ${what} must be the id the provider shows (letters, digits, - and _)`, { provider });
  }
  return id;
}

async function request(provider: ProviderId, ctx: ProviderContext, req: HttpRequest, notFound: string): Promise<HttpResponse> {
  const res = await call(provider, ctx, req);
  if (res.status >= 200 && res.status < 300) return res;
  const { providerCode, message } = errorDetail(res);
  if (res.status === 404) {
    throw new SmsError('INVALID_INPUT', `${provider}: ${notFound}`, { provider, httpStatus: 404, ...(providerCode ? { providerCode } : {}) });
  }
  throw httpError(provider, res, { providerCode, message });
}

/** The error code and text of a provider's error body, whichever of the four shapes it has. */
function errorDetail(res: HttpResponse): { providerCode?: string; message?: string } {
  const b = tryJson(res.body);
  if (!isRecord(b)) return {};
  // Telnyx: { errors: [{ code, title, detail }] }
  if (Array.isArray(b.errors) && isRecord(b.errors[0])) {
    const e = b.errors[0];
    return { providerCode: clip(e.code, 20), message: clip(e.detail) ?? clip(e.title) };
  }
  // Vonage: { "error-code", "error-code-label" }; Twilio: { code, message }; Plivo: { error }
  const providerCode = clip(b['error-code'], 20) ?? clip(b.code, 20);
  const message = clip(b['error-code-label']) ?? clip(b.message) ?? clip(b.error);
  return { ...(providerCode ? { providerCode } : {}), ...(message ? { message } : {}) };
}

function stringField(provider: ProviderId, res: HttpResponse, value: unknown, what: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new SmsError('PROVIDER_ERROR', `${provider}: ${what} is not text in HTTP ${res.status} answer`, { provider, httpStatus: res.status });
  return value;
}

// ---------------------------------------------------------------------------------------------
// Twilio: the number's SmsUrl / SmsMethod (IncomingPhoneNumbers).

const twilioNumber: WebhookSetting<{ accountSid: string; authToken: string; numberSid: string }> = {
  provider: 'twilio',
  targetName: 'Phone Number',
  targetDescription:
    "The Twilio number (E.164, e.g. +14155550100) whose 'A message comes in' webhook is set to this node. A number in a Messaging Service uses the service's webhook unless the service defers to the sender's.",
  targetRequired: true,
  secrets: (ctx) => [requireCredentials('twilio', ctx, ['authToken']).authToken],
  async read(ctx, target) {
    const { accountSid, authToken } = twilioAccount(ctx);
    const phone = e164Target(target);
    const res = await request(
      'twilio',
      ctx,
      {
        method: 'GET',
        url: endpoint('twilio', ctx, getProvider('twilio').defaultBaseUrl, `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(phone)}`),
        headers: { authorization: basicAuth(accountSid, authToken), accept: 'application/json' },
      },
      'the account was not found',
    );
    const body = parseJson<unknown>('twilio', res);
    const list = isRecord(body) && Array.isArray(body.incoming_phone_numbers) ? body.incoming_phone_numbers : undefined;
    if (list === undefined) throw new SmsError('PROVIDER_ERROR', `twilio: no incoming_phone_numbers in HTTP ${res.status} answer`, { provider: 'twilio', httpStatus: res.status });
    // The PhoneNumber filter also matches parts of numbers: only the exact one counts.
    const entry = list.find((n): n is Record<string, unknown> => isRecord(n) && n.phone_number === phone);
    if (entry === undefined || typeof entry.sid !== 'string' || !/^PN[A-Za-z0-9]{1,64}$/.test(entry.sid)) {
      throw new SmsError('INVALID_INPUT', `twilio: the account has no phone number ${phone}`, { provider: 'twilio' });
    }
    const method = stringField('twilio', res, entry.sms_method, 'sms_method');
    return {
      url: stringField('twilio', res, entry.sms_url, 'sms_url'),
      post: method === undefined || method.toUpperCase() === 'POST',
      handle: { accountSid, authToken, numberSid: entry.sid },
    };
  },
  async write(ctx, { accountSid, authToken, numberSid }, url) {
    await request(
      'twilio',
      ctx,
      {
        method: 'POST',
        url: endpoint('twilio', ctx, getProvider('twilio').defaultBaseUrl, `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${numberSid}.json`),
        headers: { authorization: basicAuth(accountSid, authToken), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: formBody(url === null ? { SmsUrl: '' } : { SmsUrl: url, SmsMethod: 'POST' }),
      },
      'the phone number was not found',
    );
  },
};

function twilioAccount(ctx: ProviderContext): { accountSid: string; authToken: string } {
  const creds = requireCredentials('twilio', ctx, ['accountSid', 'authToken']);
  if (!/^[A-Za-z0-9]{1,64}$/.test(creds.accountSid as string)) {
    throw new SmsError('INVALID_INPUT', 'twilio: accountSid may hold only letters and digits (AC…)', { provider: 'twilio' });
  }
  return { accountSid: creds.accountSid as string, authToken: creds.authToken as string };
}

function e164Target(target: string): string {
  try {
    return normalizePhone(typeof target === 'string' ? target : '').e164;
  } catch {
    throw new SmsError('INVALID_INPUT', 'twilio: the phone number to register must be an E.164 number such as +14155550100', { provider: 'twilio' });
  }
}

// ---------------------------------------------------------------------------------------------
// Telnyx: the messaging profile's webhook_url (inbound messages and, for messages sent without a
// webhook of their own, delivery events).

const telnyxProfile: WebhookSetting<{ apiKey: string; id: string }> = {
  provider: 'telnyx',
  targetName: 'Messaging Profile ID',
  targetDescription:
    "The messaging profile (Mission Control > Messaging) whose Webhook URL is set to this node. Telnyx also posts there the delivery events of messages sent without a webhook of their own: they update the message log; to get them in a flow, give Send SMS the DLR Webhook's URL.",
  targetRequired: true,
  secrets: (ctx) => [requireCredentials('telnyx', ctx, ['apiKey']).apiKey as string],
  async read(ctx, target) {
    const { apiKey } = requireCredentials('telnyx', ctx, ['apiKey']) as { apiKey: string };
    const id = pathId('telnyx', target, 'messaging profile id');
    const res = await request(
      'telnyx',
      ctx,
      {
        method: 'GET',
        url: endpoint('telnyx', ctx, getProvider('telnyx').defaultBaseUrl, `/v2/messaging_profiles/${id}`),
        headers: { authorization: bearer('telnyx', 'apiKey', apiKey), accept: 'application/json' },
      },
      `no messaging profile ${id} in this account`,
    );
    const body = parseJson<unknown>('telnyx', res);
    const data = isRecord(body) && isRecord(body.data) ? body.data : undefined;
    if (data === undefined) throw new SmsError('PROVIDER_ERROR', `telnyx: no data in HTTP ${res.status} answer`, { provider: 'telnyx', httpStatus: res.status });
    // Telnyx always posts its webhooks.
    return { url: stringField('telnyx', res, data.webhook_url, 'webhook_url'), post: true, handle: { apiKey, id } };
  },
  async write(ctx, { apiKey, id }, url) {
    await request(
      'telnyx',
      ctx,
      {
        method: 'PATCH',
        url: endpoint('telnyx', ctx, getProvider('telnyx').defaultBaseUrl, `/v2/messaging_profiles/${id}`),
        headers: { authorization: bearer('telnyx', 'apiKey', apiKey), 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ webhook_url: url }),
      },
      `no messaging profile ${id} in this account`,
    );
  },
};

// ---------------------------------------------------------------------------------------------
// Plivo: the application's message_url / message_method.

const plivoApplication: WebhookSetting<{ authId: string; authToken: string; id: string }> = {
  provider: 'plivo',
  targetName: 'Application ID',
  targetDescription: 'The Plivo application (Messaging > Applications) whose Message URL is set to this node; your numbers must be linked to it.',
  targetRequired: true,
  secrets: (ctx) => [requireCredentials('plivo', ctx, ['authToken']).authToken as string],
  async read(ctx, target) {
    const { authId, authToken } = plivoAccount(ctx);
    const id = pathId('plivo', target, 'application id');
    const res = await request('plivo', ctx, { method: 'GET', url: plivoUrl(ctx, authId, id), headers: plivoHeaders(authId, authToken) }, `no application ${id} in this account`);
    const body = parseJson<unknown>('plivo', res);
    if (!isRecord(body)) throw new SmsError('PROVIDER_ERROR', `plivo: no application in HTTP ${res.status} answer`, { provider: 'plivo', httpStatus: res.status });
    const method = stringField('plivo', res, body.message_method, 'message_method');
    return {
      url: stringField('plivo', res, body.message_url, 'message_url'),
      post: method === undefined || method.toUpperCase() === 'POST',
      handle: { authId, authToken, id },
    };
  },
  async write(ctx, { authId, authToken, id }, url) {
    await request(
      'plivo',
      ctx,
      {
        method: 'POST',
        url: plivoUrl(ctx, authId, id),
        headers: { ...plivoHeaders(authId, authToken), 'content-type': 'application/json' },
        body: JSON.stringify(url === null ? { message_url: '' } : { message_url: url, message_method: 'POST' }),
      },
      `no application ${id} in this account`,
    );
  },
};

function plivoAccount(ctx: ProviderContext): { authId: string; authToken: string } {
  const creds = requireCredentials('plivo', ctx, ['authId', 'authToken']) as { authId: string; authToken: string };
  pathId('plivo', creds.authId, 'credential authId');
  return creds;
}

function plivoUrl(ctx: ProviderContext, authId: string, id: string): string {
  return endpoint('plivo', ctx, getProvider('plivo').defaultBaseUrl, `/v1/Account/${authId}/Application/${id}/`);
}

function plivoHeaders(authId: string, authToken: string): Record<string, string> {
  return { authorization: basicAuth(authId, authToken), accept: 'application/json' };
}

// ---------------------------------------------------------------------------------------------
// Vonage: the account's default inbound URL (moCallBackUrl). POST /account/settings answers the
// current settings, so a POST that changes nothing reads them.

const vonageAccount: WebhookSetting<{ apiKey: string; apiSecret: string }> = {
  provider: 'vonage',
  targetName: '',
  targetDescription:
    "Vonage's account-wide inbound SMS URL (API settings > Default SMS Setting) is set to this node. A number with a webhook of its own keeps using that one.",
  targetRequired: false,
  secrets: (ctx) => [requireCredentials('vonage', ctx, ['apiSecret']).apiSecret as string],
  async read(ctx) {
    const creds = requireCredentials('vonage', ctx, ['apiKey', 'apiSecret']) as { apiKey: string; apiSecret: string };
    const settings = await vonageSettings(ctx, creds, {});
    return { url: settings, post: true, handle: creds };
  },
  async write(ctx, creds, url) {
    const now = await vonageSettings(ctx, creds, { moCallBackUrl: url ?? '' });
    // Vonage answers the settings it kept: a URL it refused comes back unchanged.
    if ((now ?? '') !== (url ?? '')) {
      throw new SmsError('PROVIDER_ERROR', 'vonage: the account kept another inbound URL than the one set', { provider: 'vonage' });
    }
  },
};

async function vonageSettings(ctx: ProviderContext, creds: { apiKey: string; apiSecret: string }, change: Record<string, string>): Promise<string | undefined> {
  const res = await request(
    'vonage',
    ctx,
    {
      method: 'POST',
      url: endpoint('vonage', ctx, getProvider('vonage').defaultBaseUrl, '/account/settings'),
      headers: { authorization: basicAuth(creds.apiKey, creds.apiSecret), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: formBody(change),
    },
    'the account settings were not found',
  );
  const body = parseJson<unknown>('vonage', res);
  if (!isRecord(body)) throw new SmsError('PROVIDER_ERROR', `vonage: no settings in HTTP ${res.status} answer`, { provider: 'vonage', httpStatus: res.status });
  return stringField('vonage', res, body['mo-callback-url'], 'mo-callback-url');
}
