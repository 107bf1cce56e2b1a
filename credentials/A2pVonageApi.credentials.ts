import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { providerProperties } from './shared/provider-properties';

export class A2pVonageApi implements ICredentialType {
  name = 'a2pVonageApi';

  displayName = 'A2P Kit Vonage API';

  icon: Icon = 'file:../icons/sendSms.svg';

  documentationUrl = 'https://developer.vonage.com/en/getting-started/concepts/authentication';

  properties: INodeProperties[] = providerProperties('vonage');

  // Basic auth rather than api_key/api_secret query parameters: secrets stay out of URLs and logs.
  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: {
      auth: { username: '={{$credentials.apiKey}}', password: '={{$credentials.apiSecret}}' },
    },
  };

  test: ICredentialTestRequest = {
    request: {
      baseURL: '={{$credentials.baseUrl || "https://rest.nexmo.com"}}',
      url: '/account/get-balance',
      method: 'GET',
    },
  };
}
