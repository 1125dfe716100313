import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configurationReference } from '../../scripts/config-reference.js';

describe('docs/configuration.md', () => {
  it('matches the services\u2019 config schemas (run `pnpm docs:config` after changing a variable)', () => {
    const committed = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(configurationReference());
  });
});
