/**
 * The dispatcher's registry and its guard against body parsers mounted before httpNode (with the
 * default settings the editor's admin app, at the same root, parses every JSON and form body).
 */
import { EventEmitter } from 'node:events';
import type { NodeAPI } from '../../node-red/node-red-api';
import { normalizePath, registerEndpoint } from '../../node-red/webhook-endpoint';
import { expectCode } from '../support/sms-error';

function fakeRed(httpNodeRoot: unknown = '/') {
  const server = new EventEmitter();
  const uses: unknown[] = [];
  const RED = { settings: { httpNodeRoot }, httpNode: { use: (h: unknown) => uses.push(h) }, server } as unknown as NodeAPI;
  const request = (method: string, url: string) => {
    const req: { method: string; url: string; _body?: boolean } = { method, url };
    server.emit('request', req);
    return req;
  };
  return { RED, uses, request };
}

describe('webhook endpoints', () => {
  it('marks requests for registered paths as parsed before any other listener sees them, and only those', () => {
    const { RED, uses, request } = fakeRed('/api/');
    const off = registerEndpoint(RED, 'n1', 'POST', '/sms/in', () => undefined);
    expect(uses).toHaveLength(1);
    expect(request('POST', '/api/sms/in?token=x')._body).toBe(true);
    expect(request('POST', '/api/sms/in/')._body).toBe(true);
    expect(request('GET', '/api/sms/in')._body).toBeUndefined();
    expect(request('POST', '/sms/in')._body).toBeUndefined();
    expect(request('POST', '/api/admin/flows')._body).toBeUndefined();
    off();
    expect(request('POST', '/api/sms/in')._body).toBeUndefined();
  });

  it('mounts one dispatcher however many nodes register, and refuses a taken path', () => {
    const { RED, uses } = fakeRed();
    registerEndpoint(RED, 'n1', 'POST', '/a', () => undefined);
    registerEndpoint(RED, 'n2', 'POST', '/b', () => undefined);
    expect(uses).toHaveLength(1);
    expectCode(() => registerEndpoint(RED, 'n3', 'POST', '/a', () => undefined), 'INVALID_INPUT', /already served by node n1/);
    expect(() => registerEndpoint(RED, 'n1', 'POST', '/a', () => undefined)).not.toThrow();
  });

  it('refuses to serve when Node-RED serves no flow endpoints, and bad paths', () => {
    expectCode(() => registerEndpoint(fakeRed(false).RED, 'n1', 'POST', '/a', () => undefined), 'INVALID_INPUT', /httpNodeRoot/);
    expect(normalizePath('sms/in/')).toBe('/sms/in');
    for (const bad of ['', '/a?b', '/a b', '/../x', 'x'.repeat(201), 42]) expectCode(() => normalizePath(bad), 'INVALID_INPUT');
  });
});
