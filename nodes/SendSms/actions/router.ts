/** Runs the operation the node is set to; the parameter is the same for every item. */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { DEFAULT_OPERATION, type Operation } from './sms.description';
import * as send from './send.operation';
import * as status from './status.operation';
import * as summary from './summary.operation';

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const operation = this.getNodeParameter('operation', 0, DEFAULT_OPERATION) as Operation;
  switch (operation) {
    case 'send':
      return await send.execute.call(this);
    case 'getStatus':
      return await status.execute.call(this);
    case 'deliverySummary':
      return await summary.execute.call(this);
    default:
      throw new NodeOperationError(this.getNode(), `The operation "${String(operation)}" is not known to this node version`);
  }
}
