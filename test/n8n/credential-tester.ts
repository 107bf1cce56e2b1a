/**
 * "Test credential" as n8n's editor runs it (packages/cli credentials-tester.service.ts): a
 * throw-away declarative node whose only property routes the credential's `test.request`, run by
 * n8n-core's RoutingNode with the credential's `authenticate` applied, then the `rules` checked.
 */
import { NodeConnectionTypes, type ICredentialDataDecryptedObject, type ICredentialType, type IDataObject, type INodeType } from 'n8n-workflow';
import { runNode } from './harness';

export interface CredentialTestResult {
  status: 'OK' | 'Error';
  message: string;
}

export async function testCredential(type: ICredentialType, data: ICredentialDataDecryptedObject): Promise<CredentialTestResult> {
  if (!type.test) return { status: 'Error', message: 'No testing function found for this credential.' };
  const tester: INodeType = {
    description: {
      displayName: 'Temp',
      name: 'credentialTest',
      group: ['transform'],
      version: 1,
      description: 'Runs a credential test request',
      defaults: { name: 'Temp-Node' },
      inputs: [NodeConnectionTypes.Main],
      outputs: [NodeConnectionTypes.Main],
      credentials: [{ name: type.name, required: true }],
      properties: [{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: type.test.request }, default: '' }],
    },
  };
  const { outputs, error } = await runNode({
    nodeType: tester,
    parameters: {},
    items: [{}],
    credentials: { [type.name]: data },
    credentialTypes: { [type.name]: type },
  });
  if (error) {
    const status = Number((error as { httpCode?: unknown }).httpCode);
    for (const rule of type.test.rules ?? []) {
      if (rule.type === 'responseCode' && rule.properties.value === status) return { status: 'Error', message: rule.properties.message };
    }
    return { status: 'Error', message: error.message };
  }
  const body = (outputs[0]?.[0]?.json ?? {}) as IDataObject;
  for (const rule of type.test.rules ?? []) {
    if (rule.type === 'responseSuccessBody' && body[rule.properties.key] === rule.properties.value) {
      return { status: 'Error', message: rule.properties.message };
    }
  }
  return { status: 'OK', message: 'Connection successful!' };
}
