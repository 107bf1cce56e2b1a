import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { properties } from './actions/consent.description';
import { route } from './actions/router';

export class CheckConsent implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Check Consent',
    name: 'checkConsent',
    icon: 'file:../../icons/checkConsent.svg',
    group: ['transform'],
    version: 1,
    subtitle: '={{ {check: "Check", optIn: "Record opt-in", optOut: "Record opt-out", history: "History", import: "Import list"}[$parameter["operation"]] }}',
    description:
      'Check SMS consent before sending (opted out, opted in, no consent) and record opt-ins, opt-outs and suppression lists in a ledger that keeps the proof',
    defaults: { name: 'Check Consent' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    // Check routes to Allowed / Blocked; the other operations have one output. (Literal "main":
    // the expression is evaluated by n8n, where the import is not in scope.)
    outputs: `={{ $parameter["operation"] === "check" ? [{ "type": "main", "displayName": "Allowed" }, { "type": "main", "displayName": "Blocked" }] : [{ "type": "main" }] }}`,
    properties,
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return await route.call(this);
  }
}
