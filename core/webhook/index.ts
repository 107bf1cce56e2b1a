export { handleInbound } from './handle-inbound';
export { handleStatus } from './handle-status';
export { checkedPublicUrl, publicRequestUrl, readWebhookRequest, statusCallbackUrlFor } from './request';
export { OPT_OUT_ERROR_CODES } from './consent';
export { inboundRegistration, type InboundRegistration } from './registration';
export { WEBHOOK_MAX_BODY_BYTES } from './types';
export type { InboundEvent, InboundWebhookOptions, RawWebhookRequest, StatusEvent, StatusWebhookOptions, WebhookContext, WebhookResult } from './types';
