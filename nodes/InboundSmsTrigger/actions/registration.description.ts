/**
 * The Inbound SMS Trigger's "Register Webhook Automatically" switch and, per provider, the field
 * naming what to register (a number, a messaging profile, an application), worded by the core's
 * registrations so the editor says what activating will change.
 */
import type { INodeProperties } from 'n8n-workflow';
import { inboundRegistration } from '../../../core/webhook/registration';
import { WEBHOOK_PROVIDERS } from '../../shared/webhook-description';

const PLACEHOLDERS: Readonly<Record<string, string>> = {
  twilio: '+14155550100',
  telnyx: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  plivo: '20372631212782780',
};

const registrable = WEBHOOK_PROVIDERS.flatMap((provider) => {
  const registration = inboundRegistration(provider);
  return registration === undefined ? [] : [{ provider, registration }];
});

export const registrationProperties: INodeProperties[] = [
  {
    displayName: 'Register Webhook Automatically',
    name: 'registerWebhook',
    type: 'boolean',
    default: false,
    displayOptions: { show: { provider: registrable.map((r) => r.provider) } },
    description:
      "Whether activating the workflow points the provider's incoming-message webhook at this node, and deactivating clears it again (only if it still points here). Off: paste the Production URL at the provider yourself. Listening for a test event never changes the provider's settings.",
  },
  ...registrable.map(({ provider, registration }): INodeProperties => {
    const shown = { show: { provider: [provider], registerWebhook: [true] } };
    if (!registration.targetRequired) {
      return { displayName: registration.targetDescription, name: `${provider}RegistrationNotice`, type: 'notice', default: '', displayOptions: shown };
    }
    return {
      displayName: registration.targetName,
      name: 'registrationTarget',
      type: 'string',
      required: true,
      default: '',
      placeholder: PLACEHOLDERS[provider] ?? '',
      displayOptions: shown,
      description: registration.targetDescription,
    };
  }),
];
