/** The n8n glue in nodes/shared: where the store lives, and n8n's request helper as the core's HttpFunction. */
import { join } from 'node:path';
import { SsrfBlockedHostnameError, SsrfBlockedIpError } from '@n8n/backend-network';
import { AxiosError } from 'axios';
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { HttpTransportError } from '../../core/http-client';
import { n8nHttp, toTransportError } from '../../nodes/shared/n8n-http';
import { readProviderAccount, readProviderCredentials } from '../../nodes/shared/provider-credentials';
import { n8nFolder, storePath } from '../../nodes/shared/store';

describe('store location', () => {
  const home = () => '/home/ana';

  it('follows n8n: N8N_USER_FOLDER/.n8n, else ~/.n8n', () => {
    expect(n8nFolder({ N8N_USER_FOLDER: '/srv/n8n' }, home)).toBe('/srv/n8n/.n8n');
    expect(n8nFolder({}, home)).toBe('/home/ana/.n8n');
    expect(n8nFolder({ N8N_USER_FOLDER: '' }, home)).toBe('/home/ana/.n8n');
  });

  it('defaults to a2p-kit.sqlite there; relative paths count from there', () => {
    expect(storePath('', {}, home)).toBe('/home/ana/.n8n/a2p-kit.sqlite');
    expect(storePath('   ', { N8N_USER_FOLDER: '/srv' }, home)).toBe('/srv/.n8n/a2p-kit.sqlite');
    expect(storePath('data/sms.sqlite', {}, home)).toBe(join('/home/ana/.n8n', 'data/sms.sqlite'));
    expect(storePath('../elsewhere.sqlite', {}, home)).toBe('/home/ana/elsewhere.sqlite');
  });

  it('takes absolute, ~/ and :memory: paths as written (the store expands ~)', () => {
    expect(storePath('/var/lib/sms.sqlite', {}, home)).toBe('/var/lib/sms.sqlite');
    expect(storePath(' ~/sms.sqlite ', {}, home)).toBe('~/sms.sqlite');
    expect(storePath(':memory:', {}, home)).toBe(':memory:');
  });
});

describe('provider credentials', () => {
  const holding = (data: Record<string, unknown>) => ({ getCredentials: async () => data as never });

  it('gives the core text fields only, without the n8n-only Delivery Report URL', async () => {
    const fns = holding({ accountSid: 'AC1', authToken: 'tok', port: 8080, nested: { a: 1 }, statusCallbackUrl: ' https://n8n.example.com/webhook/dlr ' });
    expect(await readProviderCredentials(fns, 'twilio')).toEqual({ accountSid: 'AC1', authToken: 'tok', port: '8080' });
    expect(await readProviderAccount(fns, 'twilio')).toEqual({
      credentials: { accountSid: 'AC1', authToken: 'tok', port: '8080' },
      deliveryReportUrl: 'https://n8n.example.com/webhook/dlr',
    });
    expect(await readProviderAccount(holding({ accountSid: 'AC1', statusCallbackUrl: '  ' }), 'twilio')).toEqual({ credentials: { accountSid: 'AC1' } });
  });

  it('is MISSING_CREDENTIALS when no credential is selected, and empty for the sandbox', async () => {
    const none = { getCredentials: async () => Promise.reject(new Error('Node does not have any credentials set')) };
    await expect(readProviderCredentials(none, 'vonage')).rejects.toMatchObject({ code: 'MISSING_CREDENTIALS', message: expect.stringContaining('a2pVonageApi') });
    expect(await readProviderAccount(none, 'sandbox')).toEqual({ credentials: {} });
  });
});

describe('request failures', () => {
  const axiosLike = (code: string | undefined, message: string) => Object.assign(new Error(message), { code, request: {} });
  const bare = (code: string | undefined, message: string) => Object.assign(new Error(message), { code });

  it.each([
    'ECONNREFUSED',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ERR_INVALID_URL',
    'CERT_HAS_EXPIRED',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'ERR_TLS_CERT_ALTNAME_INVALID',
  ])('%s: the request never left, so it is a connect failure (safe to repeat)', (code) => {
    expect(toTransportError(axiosLike(code, 'x'))).toMatchObject({ phase: 'connect', code });
    expect(toTransportError(bare(code, 'x'))).toMatchObject({ phase: 'connect', code });
  });

  it("n8n's SSRF policy refusing the destination is a connect failure, also wrapped the way axios wraps it", () => {
    const byIp = new SsrfBlockedIpError('10.0.0.7', 'api.provider.test');
    const byName = new SsrfBlockedHostnameError('api.provider.test');
    expect(toTransportError(byIp).phase).toBe('connect');
    expect(toTransportError(byName).phase).toBe('connect');
    // The connection guard fails the socket; axios turns that into an AxiosError with the request set.
    const wrapped = AxiosError.from(byIp, undefined, undefined, {});
    expect(wrapped.request).toBeDefined();
    expect(toTransportError(wrapped).phase).toBe('connect');
    expect(toTransportError(new Error('outer', { cause: new Error('middle', { cause: byName }) })).phase).toBe('connect');
  });

  it('after the request may have arrived: in-flight (never repeated blindly)', () => {
    for (const code of ['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED', 'EPIPE', undefined]) {
      const e = toTransportError(axiosLike(code, 'x'));
      expect(e.phase).toBe('in-flight');
      expect(e.code).toBe(code);
    }
  });

  it('an error without a request object is not taken as proof that nothing was sent', () => {
    // A wrapper (proxy agent, retry helper, a later n8n) that drops `.request` from a timeout
    // must not make the timeout retryable: the provider may have the message already.
    for (const code of ['ECONNABORTED', 'ETIMEDOUT', 'ECONNRESET', 'ERR_CANCELED', 'E_SOMETHING_NEW', undefined]) {
      expect(toTransportError(bare(code, 'timeout of 30000ms exceeded')).phase).toBe('in-flight');
    }
    expect(toTransportError(new Error('socket hang up')).phase).toBe('in-flight');
    // A look-alike name elsewhere than `name` proves nothing either.
    expect(toTransportError(Object.assign(new Error('x'), { kind: 'SsrfBlockedIpError' })).phase).toBe('in-flight');
  });

  it('keeps URL queries, where credentials may travel, out of the message', () => {
    const e = toTransportError(axiosLike('ECONNRESET', 'GET https://x.test/api?user=me&password=hunter2 failed'));
    expect(e.message).not.toContain('hunter2');
    expect(e.message).toContain('https://x.test/api?');
  });

  it('survives anything thrown, and counts what it cannot read as in-flight', () => {
    const hostile = Object.defineProperties(new Error('x'), {
      code: { get: () => { throw new Error('code getter'); } },
      name: { get: () => { throw new Error('name getter'); } },
      cause: { get: () => { throw new Error('cause getter'); } },
    });
    const cyclic: { name: string; cause?: unknown } = { name: 'Error' };
    cyclic.cause = cyclic;
    const deep = Array.from({ length: 10_000 }).reduce<unknown>((cause) => ({ cause }), new SsrfBlockedIpError('10.0.0.1'));
    for (const thrown of [undefined, null, 42, 'text', { message: 7 }, Object.create(null), hostile, cyclic, deep]) {
      const e = toTransportError(thrown);
      expect(e).toBeInstanceOf(HttpTransportError);
      expect(e.phase).toBe('in-flight');
    }
    const huge = toTransportError(axiosLike('ECONNRESET', 'x'.repeat(1_000_000)));
    expect(huge.message.length).toBeLessThanOrEqual(300);
  });
});

describe('n8n request helper as HttpFunction', () => {
  type Helper = (options: IHttpRequestOptions) => Promise<unknown>;
  const fns = (httpRequest: Helper, signal?: AbortSignal) =>
    ({ getExecutionCancelSignal: () => signal, helpers: { httpRequest } }) as unknown as IExecuteFunctions;

  it('asks for the full response as text, any status, no redirects, and lower-cases headers', async () => {
    let seen: IHttpRequestOptions | undefined;
    const http = n8nHttp(
      fns(async (options) => {
        seen = options;
        return { statusCode: 429, headers: { 'Retry-After': '3', 'Set-Cookie': ['a=1', 'b=2'] }, body: '{"x":1}' };
      }),
    );
    const res = await http({ method: 'POST', url: 'https://p.test/send', headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 5 });
    expect(res).toEqual({ status: 429, headers: { 'retry-after': '3', 'set-cookie': 'a=1, b=2' }, body: '{"x":1}' });
    expect(seen).toMatchObject({
      method: 'POST',
      url: 'https://p.test/send',
      body: '{}',
      timeout: 5,
      returnFullResponse: true,
      ignoreHttpStatusErrors: true,
      encoding: 'text',
      json: false,
      disableFollowRedirect: true,
    });
  });

  it('turns a non-text body into text', async () => {
    const answer = (body: unknown) => n8nHttp(fns(async () => ({ statusCode: 200, headers: {}, body })))({ method: 'GET', url: 'https://p.test', headers: {} });
    await expect(answer(Buffer.from('ok'))).resolves.toMatchObject({ body: 'ok' });
    await expect(answer({ parsed: true })).resolves.toMatchObject({ body: '{"parsed":true}' });
    await expect(answer(undefined)).resolves.toMatchObject({ body: '' });
  });

  it('lets a request on the wire finish when the execution is cancelled (the batch stops starting new ones)', async () => {
    const controller = new AbortController();
    let seen: IHttpRequestOptions | undefined;
    const http = n8nHttp(
      fns(async (options) => {
        seen = options;
        controller.abort();
        return { statusCode: 201, headers: {}, body: '{"sid":"SM1"}' };
      }, controller.signal),
    );
    await expect(http({ method: 'POST', url: 'https://p.test', headers: {} })).resolves.toMatchObject({ status: 201 });
    // A cancel must not cut the request: the provider may already have the message.
    expect(seen?.abortSignal).toBeUndefined();
  });
});
