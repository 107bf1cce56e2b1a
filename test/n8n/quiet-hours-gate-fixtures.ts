/** What the Quiet-Hours Gate suites share: the node run through the harness, and its two outputs. */
import type { IDataObject, INodeExecutionData, INodeParameters, OnError } from 'n8n-workflow';
import { QuietHoursGate } from '../../nodes/QuietHoursGate/QuietHoursGate.node';
import { runNode, type NodeRun } from './harness';

/** New York (212), Paris, Anchorage + Adak (907), Los Angeles (213). */
export const NEW_YORK = '+12125550123';
export const PARIS = '+33612345678';
export const ALASKA = '+19075550123';
export const LOS_ANGELES = '+12135550123';

export interface GateOptions {
  onError?: OnError;
  timezone?: string;
}

export interface GateRun extends NodeRun {
  sendNow: INodeExecutionData[];
  deferred: INodeExecutionData[];
  /** n8n's error output, present with "continue (using error output)". */
  errors: INodeExecutionData[];
}

export async function runGate(parameters: INodeParameters, items: IDataObject[], opts: GateOptions = {}): Promise<GateRun> {
  const run = await runNode({ nodeType: new QuietHoursGate(), parameters, items, ...opts });
  const [sendNow = [], deferred = [], errors = []] = run.outputs;
  return { ...run, sendNow, deferred, errors };
}

/** The gate's parameters with an "At" instant and any other options. */
export function judgedAt(at: string, parameters: INodeParameters = {}): INodeParameters {
  return { ...parameters, options: { ...((parameters.options as IDataObject | undefined) ?? {}), at } };
}

export function quietHoursOf(item: INodeExecutionData | undefined): IDataObject {
  if (item === undefined) throw new Error('no item on that output');
  return item.json.quietHours as IDataObject;
}

/** Every output item points at the input item it came from (`id` is the input index). */
export function expectPairedToOwnInput(items: INodeExecutionData[]): void {
  expect(items.map((item) => item.pairedItem)).toEqual(items.map((item) => ({ item: item.json.id })));
}
