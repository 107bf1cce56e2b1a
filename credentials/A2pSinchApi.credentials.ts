import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { providerProperties } from './shared/provider-properties';

export class A2pSinchApi implements ICredentialType {
  name = 'a2pSinchApi';

  displayName = 'A2P Kit Sinch API';

  icon: Icon = 'file:../icons/sendSms.svg';

  documentationUrl = 'https://developers.sinch.com/docs/sms/api-reference/authentication';

  properties: INodeProperties[] = providerProperties('sinch');

  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: {
      headers: { Authorization: '=Bearer {{$credentials.apiToken}}' },
    },
  };

  // Listing one batch: the cheapest call the service-plan token is allowed to make.
  test: ICredentialTestRequest = {
    request: {
      baseURL: '={{$credentials.baseUrl || "https://" + ($credentials.region || "us") + ".sms.api.sinch.com"}}',
      url: '=/xms/v1/{{$credentials.servicePlanId}}/batches',
      qs: { page_size: 1 },
      method: 'GET',
    },
  };
}
