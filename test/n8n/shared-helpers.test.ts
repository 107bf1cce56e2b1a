/** The n8n glue in nodes/shared: where the store lives, and n8n's request helper as the core's HttpFunction. */
import { join } from 'node:path';
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { HttpTransportError } from '../../core/http-client';
import { n8nHttp, toTransportError } from '../../nodes/shared/n8n-http';
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

describe('request failures', () => {
  const axiosLike = (code: string | undefined, message: string) => Object.assign(new Error(message), { code, request: {} });

  it('before anything was sent: connect (safe to repeat)', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']) {
      expect(toTransportError(axiosLike(code, 'x')).phase).toBe('connect');
    }
    // Refused before a request object existed (n8n's SSRF policy, a malformed URL).
    expect(toTransportError(new Error('Request blocked by SSRF policy')).phase).toBe('connect');
  });

  it('after the request may have arrived: in-flight (never repeated blindly)', () => {
    for (const code of ['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED', undefined]) {
      const e = toTransportError(axiosLike(code, 'x'));
      expect(e.phase).toBe('in-flight');
      expect(e.code).toBe(code);
    }
  });

  it('keeps URL queries, where credentials may travel, out of the message', () => {
    const e = toTransportError(axiosLike('ECONNRESET', 'GET https://x.test/api?user=me&password=hunter2 failed'));
    expect(e.message).not.toContain('hunter2');
    expect(e.message).toContain('https://x.test/api?');
  });

  it('survives anything thrown', () => {
    for (const thrown of [undefined, null, 42, 'text', { message: 7 }, Object.create(null)]) {
      const e = toTransportError(thrown);
      expect(e).toBeInstanceOf(HttpTransportError);
      expect(e.phase).toBe('connect');
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

  it('sends nothing once the execution is cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    let called = false;
    const http = n8nHttp(
      fns(async () => {
        called = true;
        return { statusCode: 200 };
      }, controller.signal),
    );
    await expect(http({ method: 'POST', url: 'https://p.test', headers: {} })).rejects.toMatchObject({ phase: 'connect', code: 'ERR_CANCELED' });
    expect(called).toBe(false);
  });
});
