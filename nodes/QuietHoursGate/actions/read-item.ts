/**
 * One item's parameters → the QuietHoursInput the core judges. Only types are settled here (text
 * or absent, an instant in UTC); the core checks the number, the zones and the class itself.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import type { MessageClass, PresetId, QuietHoursInput, QuietHoursPolicy } from '../../../core/quiet-hours';
import { instantValue, itemOption, itemParam, textValue } from '../../shared/item-params';

export interface GateSettings {
  policy: PresetId | QuietHoursPolicy;
  /** The instant items without an "At" are judged at: one for the whole run, so a batch read at 20:59:59.9 is not split. */
  now: number;
  /** The workflow's time zone: an "At" without a zone is meant there. */
  workflowTimeZone: string;
}

export function readGateInput(fns: IExecuteFunctions, itemIndex: number, settings: GateSettings): QuietHoursInput {
  const option = (name: string, label: string): string | undefined => textValue(itemOption(fns, name, itemIndex), label)?.trim();

  const input: QuietHoursInput = {
    policy: settings.policy,
    at: instantValue(itemOption(fns, 'at', itemIndex), 'At', settings.workflowTimeZone) ?? settings.now,
    class: textValue(itemParam(fns, 'messageClass', itemIndex, 'marketing'), 'Message Class') as MessageClass,
  };
  const phone = textValue(itemParam(fns, 'phone', itemIndex, ''), 'Phone');
  if (phone !== undefined) input.phone = phone;
  const timezone = option('timezone', 'Time Zone');
  if (timezone) input.timezone = timezone;
  const fallbackTimezone = option('fallbackTimezone', 'Fallback Time Zone');
  if (fallbackTimezone) input.fallbackTimezone = fallbackTimezone;
  const defaultCountry = option('defaultCountry', 'Default Country');
  if (defaultCountry) input.defaultCountry = defaultCountry;
  return input;
}
