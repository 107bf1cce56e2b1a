import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { properties } from './actions/gate.description';
import { execute } from './actions/gate.operation';

export class QuietHoursGate implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Quiet-Hours Gate',
    name: 'quietHoursGate',
    icon: 'file:../../icons/quietHoursGate.svg',
    group: ['transform'],
    version: 1,
    subtitle: '={{ $parameter["policy"] }}',
    description:
      "Hold marketing SMS outside the allowed hours in each recipient's own time zone (TCPA, af2m, TRAI and other presets, or your own windows) and say when they may go",
    defaults: { name: 'Quiet-Hours Gate' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
    outputNames: ['Send Now', 'Deferred'],
    properties,
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return await execute.call(this);
  }
}
