/**
 * The public face of the core (`@a2p-kit/n8n-nodes-sms/core`): the names DESIGN.md §3 promises,
 * usable from a Code node, a Node-RED function node with the module allowed, or any Node program.
 */
export * from './types';
export { SmsError, SMS_ERROR_CODES, isSmsError, toSmsError } from './errors';
export type { SmsErrorCode, SmsErrorJson, SmsErrorOptions } from './errors';
export { normalizePhone, isMobileCapable } from './phone';
export { analyzeText, isGsm7, smartEncode, SEGMENT_CAPACITY } from './encoding';
export { renderTemplate, compileTemplate } from './template';
export type { RenderOptions } from './template';
export { openStore, sharedStore } from './store';
export type { StoreLease } from './store';
export { getProvider, listProviders, PROVIDER_IDS } from './providers/registry';
export { sendBatch, deriveIdempotencyKey, DISPATCH_DEFAULTS } from './dispatch';
export type { SendRequest, DispatchOptions, SendOutcome } from './dispatch';
export { NORMALIZED_STATUSES, FINAL_STATUSES, isFinal, mergeStatus } from './delivery/status';
export { normalizeStatus, describeStatus } from './delivery/normalize';
export type { NormalizeExtra, StatusDescription } from './delivery/normalize';
export { createHttpClient, defaultHttp, HttpTransportError } from './http-client';
export { detectKeyword, OPT_OUT_KEYWORDS, OPT_IN_KEYWORDS, HELP_KEYWORDS } from './consent/keywords';
export type { DetectKeywordOptions, ExtraKeywords, KeywordIntent, KeywordMatch } from './consent/keywords';
export { checkQuietHours, getPreset, listPresets, PRESETS, resolvePolicy } from './quiet-hours';
export type { HolidayRule, MessageClass, PresetId, QuietHoursDecision, QuietHoursInput, QuietHoursPolicy, QuietHoursPreset, QuietHoursReason, TimeWindow, Weekday } from './quiet-hours';
export { HoldQueue } from './quiet-hours/hold-queue';
export type { HoldQueueOptions, ReleaseHandler, ReleaseInfo } from './quiet-hours/hold-queue';
export { checkRecipient, recordRecipient, recipientHistory } from './consent/ledger';
export type { CheckRecipientQuery, RecordRecipientEvent, RecipientHistoryOptions } from './consent/ledger';
export { importSuppressionList, parseSuppressionList } from './consent/import';
export type { RejectedRow, SuppressionImportResult, ImportSuppressionListOptions } from './consent/import';
export * from './webhook';
export { summarizeDelivery } from './delivery/summary';
export type { DeliveryGroup, DeliverySummary } from './delivery/summary';
