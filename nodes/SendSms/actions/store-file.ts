/** Whether the store file is there, without opening it (opening creates it). */
import { existsSync } from 'node:fs';
import { resolveSqlitePath } from '../../../core/store';

export function storeExists(path: string): boolean {
  return path === ':memory:' || existsSync(resolveSqlitePath(path));
}
