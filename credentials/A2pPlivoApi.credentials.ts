import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { providerProperties } from './shared/provider-properties';

export class A2pPlivoApi implements ICredentialType {
  name = 'a2pPlivoApi';

  displayName = 'A2P Kit Plivo API';

  icon: Icon = 'file:../icons/sendSms.svg';

  documentationUrl = 'https://www.plivo.com/docs/sms/api/overview';

  properties: INodeProperties[] = providerProperties('plivo');

  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: {
      auth: { username: '={{$credentials.authId}}', password: '={{$credentials.authToken}}' },
    },
  };

  test: ICredentialTestRequest = {
    request: {
      baseURL: '={{$credentials.baseUrl || "https://api.plivo.com"}}',
      url: '=/v1/Account/{{$credentials.authId}}/',
      method: 'GET',
    },
  };
}
