/**
 * n8n's own PackageDirectoryLoader (what loads an installed community package) finds the nodes
 * and the seven credentials by the package.json "n8n" block, instantiates each class by its file
 * name, resolves the `file:` icons inside the package and links every credential to the node.
 * The package here is a temp folder holding the sources (jest compiles them), so the test does
 * not depend on a build; the block lists .ts where the published one lists dist/…js. (The codex
 * file is found as `<node file>on`, so it is not picked up beside a .ts: the description suite
 * checks it.)
 */
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PackageDirectoryLoader } from 'n8n-core';
import { CREDENTIAL_TYPES } from '../../nodes/shared/provider-credentials';
import './harness';

const ROOT = resolve(__dirname, '..', '..');
const PACKAGE = '@a2p-kit/n8n-nodes-sms';
const NODES = { sendSms: 'SendSms', checkConsent: 'CheckConsent', quietHoursGate: 'QuietHoursGate', inboundSmsTrigger: 'InboundSmsTrigger', dlrWebhook: 'DlrWebhook' };
const CREDENTIAL_FILES = ['Twilio', 'Vonage', 'Infobip', 'Plivo', 'Sinch', 'Telnyx', 'Afilnet'].map((p) => `credentials/A2p${p}Api.credentials.ts`);

function packageFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'a2p-n8n-package-'));
  for (const name of ['nodes', 'credentials', 'icons', 'core', 'node_modules']) symlinkSync(join(ROOT, name), join(dir, name));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: PACKAGE,
      version: '0.0.0-test',
      n8n: { n8nNodesApiVersion: 1, nodes: Object.values(NODES).map((n) => `nodes/${n}/${n}.node.ts`), credentials: CREDENTIAL_FILES },
    }),
  );
  return dir;
}

it('loads the nodes and the provider credentials as n8n does', async () => {
  const loader = new PackageDirectoryLoader(packageFolder());
  await loader.loadAll();

  expect(Object.keys(loader.nodeTypes)).toEqual(Object.keys(NODES));
  for (const name of Object.keys(NODES)) {
    expect(loader.nodeTypes[name].type.description.iconUrl).toBe(`icons/${PACKAGE}/icons/${name}.svg`);
  }
  expect(Object.keys(loader.credentialTypes).sort()).toEqual(Object.values(CREDENTIAL_TYPES).sort());
  for (const name of Object.values(CREDENTIAL_TYPES)) {
    expect(loader.credentialTypes[name].type.iconUrl).toBe(`icons/${PACKAGE}/icons/sendSms.svg`);
    // Afilnet calls no webhook: only Send SMS takes its credential.
    const users = name === CREDENTIAL_TYPES.afilnet ? ['sendSms'] : ['sendSms', 'inboundSmsTrigger', 'dlrWebhook'];
    expect(loader.known.credentials[name].supportedNodes).toEqual(users);
  }
});
