import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { providerProperties } from './shared/provider-properties';

export class A2pAfilnetApi implements ICredentialType {
  name = 'a2pAfilnetApi';

  displayName = 'A2P Kit Afilnet API';

  icon: Icon = 'file:../icons/sendSms.svg';

  documentationUrl = 'https://www.afilnet.com/en/sms-api/';

  properties: INodeProperties[] = providerProperties('afilnet');

  // Afilnet takes the account as request parameters; in a form body they stay out of URLs and logs.
  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: {
      body: { user: '={{$credentials.user}}', password: '={{$credentials.password}}' },
    },
  };

  // Afilnet answers 200 even for a wrong password; the verdict is in the body's "status".
  test: ICredentialTestRequest = {
    request: {
      baseURL: '={{$credentials.baseUrl || "https://www.afilnet.com"}}',
      url: '/api/http/',
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: { class: 'user', method: 'getbalance' },
    },
    rules: [
      {
        type: 'responseSuccessBody',
        properties: { key: 'status', value: 'ERROR', message: 'Afilnet refused the user or password' },
      },
    ],
  };
}
