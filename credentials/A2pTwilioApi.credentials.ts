import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { providerProperties } from './shared/provider-properties';

export class A2pTwilioApi implements ICredentialType {
  name = 'a2pTwilioApi';

  displayName = 'A2P Kit Twilio API';

  icon: Icon = 'file:../icons/sendSms.svg';

  documentationUrl = 'https://www.twilio.com/docs/usage/requests-to-twilio';

  properties: INodeProperties[] = providerProperties('twilio');

  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: {
      auth: { username: '={{$credentials.accountSid}}', password: '={{$credentials.authToken}}' },
    },
  };

  // Fetching the account itself: authenticated, free, and it sends nothing.
  test: ICredentialTestRequest = {
    request: {
      baseURL: '={{$credentials.baseUrl || "https://api.twilio.com"}}',
      url: '=/2010-04-01/Accounts/{{$credentials.accountSid}}.json',
      method: 'GET',
    },
  };
}
