/**
 * The evidence kept with a recorded consent event: the Evidence fields the user filled in, the
 * "Other Evidence (JSON)" object, and where in n8n it was recorded (`n8n: { workflowId,
 * executionId, node }`), which the user cannot leave out or overwrite.
 *
 * The JSON field is user data from anywhere (a webhook body, a form): it is size-checked before
 * it is parsed, and a `__proto__` key at any depth is refused, because n8n copies item data with
 * plain assignment further down the workflow, where such a key would replace the copy's prototype.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { SmsError, kindOf } from '../../../core/errors';
import { LIMITS } from '../../../core/store/validate';
import { itemParam as param, textValue as text } from '../../shared/item-params';

const FIELDS = [
  ['text', 'Message Text'],
  ['messageId', 'Message ID'],
  ['ip', 'IP Address'],
  ['formUrl', 'Form URL'],
  ['who', 'Recorded By'],
] as const;

export function readEvidence(fns: IExecuteFunctions, itemIndex: number): Record<string, unknown> {
  const evidence: Record<string, unknown> = { ...otherEvidence(param(fns, 'evidence.extra', itemIndex, null)) };
  for (const [name, label] of FIELDS) {
    const value = text(param(fns, `evidence.${name}`, itemIndex, null), label);
    if (value !== undefined && value.trim() !== '') evidence[name] = value;
  }
  evidence.n8n = recordedBy(fns);
  return evidence;
}

/** Where in n8n an event was recorded: lets an auditor find the execution that wrote it. */
export function recordedBy(fns: IExecuteFunctions): Record<string, string> {
  const where: Record<string, string> = { workflowId: String(fns.getWorkflow().id ?? ''), node: fns.getNode().name };
  const executionId = fns.getExecutionId();
  if (executionId) where.executionId = executionId;
  return where;
}

/** "Other Evidence (JSON)": JSON text, or the object an expression produced. */
function otherEvidence(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return {};
  let json: string;
  if (typeof value === 'string') {
    json = value;
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    try {
      json = JSON.stringify(value);
    } catch {
      throw new SmsError('INVALID_INPUT', '"Other Evidence (JSON)" must be plain data (no cycles, no BigInt)');
    }
  } else {
    throw new SmsError('INVALID_INPUT', `"Other Evidence (JSON)" must be a JSON object, got ${kindOf(value)}`);
  }
  if (json.length > LIMITS.evidence) {
    throw new SmsError('INVALID_INPUT', `"Other Evidence (JSON)" is larger than ${LIMITS.evidence} characters`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json, (key, v: unknown) => {
      if (key === '__proto__') throw new SmsError('INVALID_INPUT', '"Other Evidence (JSON)" may not use the key __proto__');
      return v;
    });
  } catch (e) {
    if (e instanceof SmsError) throw e;
    throw new SmsError('INVALID_INPUT', `"Other Evidence (JSON)" is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SmsError('INVALID_INPUT', `"Other Evidence (JSON)" must be a JSON object, got ${kindOf(parsed)}`);
  }
  return parsed as Record<string, unknown>;
}
