import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMS_ERROR_CODES } from '../core/errors';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  it('opens with the two commands: the demo and the tests', () => {
    const firstBlock = readme.slice(0, readme.indexOf('\n## '));
    expect(firstBlock).toContain('npm run demo');
    expect(firstBlock).toContain('npm test');
  });

  it.each(Object.keys(SMS_ERROR_CODES))('lists the error code %s in the error table', (code) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it('is the test command .ci/run runs', () => {
    const ci = readFileSync(join(__dirname, '..', '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^npm test$/m);
  });
});
