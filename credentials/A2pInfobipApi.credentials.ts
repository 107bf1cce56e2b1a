import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { providerProperties } from './shared/provider-properties';

export class A2pInfobipApi implements ICredentialType {
  name = 'a2pInfobipApi';

  displayName = 'A2P Kit Infobip API';

  icon: Icon = 'file:../icons/sendSms.svg';

  documentationUrl = 'https://www.infobip.com/docs/essentials/api-essentials/api-authentication';

  properties: INodeProperties[] = providerProperties('infobip');

  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: {
      headers: { Authorization: '=App {{$credentials.apiKey}}' },
    },
  };

  test: ICredentialTestRequest = {
    request: {
      baseURL: '={{$credentials.baseUrl}}',
      url: '/account/1/balance',
      method: 'GET',
    },
  };
}
