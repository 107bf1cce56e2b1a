import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { providerProperties } from './shared/provider-properties';

export class A2pTelnyxApi implements ICredentialType {
  name = 'a2pTelnyxApi';

  displayName = 'A2P Kit Telnyx API';

  icon: Icon = 'file:../icons/sendSms.svg';

  documentationUrl = 'https://developers.telnyx.com/docs/overview/authentication';

  properties: INodeProperties[] = providerProperties('telnyx');

  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: {
      headers: { Authorization: '=Bearer {{$credentials.apiKey}}' },
    },
  };

  test: ICredentialTestRequest = {
    request: {
      baseURL: '={{$credentials.baseUrl || "https://api.telnyx.com"}}',
      url: '/v2/balance',
      method: 'GET',
    },
  };
}
