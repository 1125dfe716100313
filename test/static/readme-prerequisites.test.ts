import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('README prerequisites', () => {
  it('installs exactly the pnpm version that package.json pins (a newer 10.x refuses to switch to it)', () => {
    // Prepare
    const pinned = (JSON.parse(read('package.json')) as { packageManager: string }).packageManager;
    const readme = read('README.md');
    // Act
    const instructed = [...readme.matchAll(/npm install -g (pnpm@\S+)/g)].map((m) => m[1]);
    // Assess
    expect(pinned).toMatch(/^pnpm@\d+\.\d+\.\d+$/);
    expect(instructed.length).toBeGreaterThan(0);
    for (const version of instructed) expect(version).toBe(pinned);
  });

  it('and CI installs the same version', () => {
    expect(read('.ci/run')).toContain(`require('./package.json').packageManager`);
  });
});
