/** Runs the operation the node is set to; the parameter is the same for every item. */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import type { Operation } from './consent.description';
import * as check from './check.operation';
import * as history from './history.operation';
import * as importList from './import.operation';
import * as record from './record.operation';

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const operation = this.getNodeParameter('operation', 0, 'check') as Operation;
  switch (operation) {
    case 'check':
      return await check.execute.call(this);
    case 'optIn':
      return await record.execute.call(this, 'opt-in');
    case 'optOut':
      return await record.execute.call(this, 'opt-out');
    case 'history':
      return await history.execute.call(this);
    case 'import':
      return await importList.execute.call(this);
    default:
      throw new NodeOperationError(this.getNode(), `The operation "${String(operation)}" is not known to this node version`);
  }
}
