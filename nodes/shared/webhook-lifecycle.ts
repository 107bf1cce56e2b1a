/**
 * What n8n asks a webhook node when a workflow is activated and deactivated (checkExists, create,
 * delete), for the Inbound SMS Trigger and the DLR Webhook.
 *
 * - A provider that has no webhooks (Afilnet) is refused at activation, with the reason.
 * - With "Register Webhook Automatically" on (Inbound SMS Trigger; Twilio, Telnyx, Plivo, Vonage),
 *   activating points the provider's inbound webhook at the node's URL (or its Public URL), and
 *   deactivating clears it if it still points there (core/webhook/registration.ts).
 * - Otherwise nothing is registered: the user pastes the node's URL at the provider (the DLR
 *   Webhook's goes into Send SMS or the credential, per message).
 *
 * Listening for a test event never changes the provider's settings: the number would then point at
 * the test URL, and clearing it when the test ends would cut off the active workflow.
 */
import { NodeOperationError, type IHookFunctions } from 'n8n-workflow';
import { toSmsError } from '../../core/errors';
import type { ProviderContext, ProviderId } from '../../core/types';
import { inboundRegistration, type InboundRegistration } from '../../core/webhook/registration';
import { checkedPublicUrl } from '../../core/webhook/request';
import { n8nHttp } from './n8n-http';
import { readProviderCredentials } from './provider-credentials';
import { NO_WEBHOOKS_MESSAGE, WEBHOOK_PROVIDERS } from './webhook-description';

interface Plan {
  provider: ProviderId;
  registration: InboundRegistration;
  target: string;
  url: string;
  ctx: ProviderContext;
}

export const webhookMethods = {
  default: {
    async checkExists(this: IHookFunctions): Promise<boolean> {
      const plan = await registrationPlan(this);
      if (plan === undefined) return true;
      return await failingAsNodeError(this, () => plan.registration.check(plan.ctx, plan.target, plan.url));
    },

    async create(this: IHookFunctions): Promise<boolean> {
      const plan = await registrationPlan(this);
      if (plan === undefined) return true;
      await failingAsNodeError(this, () => plan.registration.register(plan.ctx, plan.target, plan.url));
      this.logger.info(`${plan.provider}: inbound SMS webhook${plan.target ? ` of ${plan.target}` : ''} now points to ${plan.url}`);
      return true;
    },

    async delete(this: IHookFunctions): Promise<boolean> {
      try {
        const plan = await registrationPlan(this);
        if (plan === undefined) return true;
        await plan.registration.unregister(plan.ctx, plan.target, plan.url);
        return true;
      } catch (e) {
        // Deactivating must not fail because the provider cannot be reached or the credential was
        // revoked: the workflow stops either way, and the log says what is left at the provider.
        this.logger.warn(`SMS webhook not unregistered at the provider (${toSmsError(e).code}): ${e instanceof Error ? e.message : String(e)}`);
        return false;
      }
    },
  },
};

/** What to register, or undefined when nothing is to be changed at the provider. Throws for a node that cannot work. */
async function registrationPlan(fns: IHookFunctions): Promise<Plan | undefined> {
  const provider = fns.getNodeParameter('provider', '') as ProviderId;
  if (!WEBHOOK_PROVIDERS.includes(provider)) {
    throw new NodeOperationError(fns.getNode(), provider === 'afilnet' ? NO_WEBHOOKS_MESSAGE : 'Select a provider');
  }
  if (fns.getNodeParameter('registerWebhook', false) !== true) return undefined;
  const registration = inboundRegistration(provider);
  if (registration === undefined) return undefined;
  if (fns.getActivationMode() === 'manual' || fns.getMode() === 'manual') {
    fns.logger.info(`${provider}: listening for a test event registers nothing; give the provider the Test URL by hand to try it`);
    return undefined;
  }
  const target = registration.targetRequired ? String(fns.getNodeParameter('registrationTarget', '') ?? '').trim() : '';
  if (registration.targetRequired && target === '') {
    throw new NodeOperationError(fns.getNode(), `Set the ${registration.targetName} whose webhook to register, or turn off Register Webhook Automatically`);
  }
  const url = await failingAsNodeError(fns, async () => {
    const publicUrl: unknown = fns.getNodeParameter('options.publicUrl', '');
    if (typeof publicUrl === 'string' && publicUrl.trim() !== '') return checkedPublicUrl(publicUrl.trim());
    return fns.getNodeWebhookUrl('default') ?? '';
  });
  const credentials = await failingAsNodeError(fns, () => readProviderCredentials(fns, provider));
  return { provider, registration, target, url, ctx: { credentials, http: n8nHttp(fns) } };
}

/** A coded error as n8n shows an activation failure: code and message, nothing of the request. */
async function failingAsNodeError<T>(fns: IHookFunctions, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const err = toSmsError(e);
    const nodeError = new NodeOperationError(fns.getNode(), `${err.code}: ${err.message}`);
    // n8n swaps a message naming ECONNRESET, ... for a generic one; ours keeps its code.
    nodeError.message = `${err.code}: ${err.message}`;
    throw nodeError;
  }
}
