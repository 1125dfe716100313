import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..', '..');

/** A service: its directory under services/ and its package name (from its package.json). */
interface Service {
  readonly dir: string;
  readonly name: string;
}

/** Every service, read from services/<dir>/package.json so a new one is covered without edits here. */
function readServices(root: string): Service[] {
  return readdirSync(join(root, 'services'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, 'services', entry.name, 'package.json')))
    .map((entry) => {
      const pkg = JSON.parse(readFileSync(join(root, 'services', entry.name, 'package.json'), 'utf8')) as {
        name: string;
      };
      return { dir: entry.name, name: pkg.name };
    });
}

/** Module specifiers of one line: static and dynamic imports, re-exports and require calls. */
export function specifiersOf(line: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])([^'"]+)\1/g;
  return [...line.matchAll(pattern)].map((match) => match[2] as string);
}

/** The service a repository path belongs to, if any (`services/isolator/src/x.ts` → `isolator`). */
function serviceOf(path: string, services: readonly Service[]): Service | undefined {
  const [top, dir] = path.split('/');
  return top === 'services' ? services.find((service) => service.dir === dir) : undefined;
}

/**
 * Why a specifier in `file` crosses into another service, or undefined when it does not. A service
 * may import itself (by package name or relative path); nothing may import another service, whether
 * by its package name, a subpath of it, or a relative path into its directory.
 */
export function violationOf(
  file: string,
  specifier: string,
  services: readonly Service[],
): string | undefined {
  const own = serviceOf(file, services);
  const byName = services.find(
    (service) => specifier === service.name || specifier.startsWith(`${service.name}/`),
  );
  if (byName && byName !== own) return `imports ${byName.name} ('${specifier}')`;
  if (specifier.startsWith('.')) {
    const target = posix.normalize(posix.join(posix.dirname(file), specifier));
    const into = serviceOf(target, services);
    if (into && into !== own) return `reaches into services/${into.dir} ('${specifier}')`;
  }
  return undefined;
}

/**
 * Files that assemble the whole system and so read every service, with why. Not services, and nothing
 * a service imports; each entry is an exact path, so a new file elsewhere is still checked.
 */
export const WHOLE_SYSTEM_FILES: Readonly<Record<string, string>> = {
  'scripts/config-reference.ts': "writes docs/configuration.md from every service's environment schema",
  'test/e2e/organisation/three-accounts.ts':
    'runs all five services in-process against three emulated accounts',
};

/** Every violation in the given files, as `file:line: reason`. */
function scan(files: readonly string[], services: readonly Service[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    if (file in WHOLE_SYSTEM_FILES) continue;
    const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      for (const specifier of specifiersOf(line)) {
        const reason = violationOf(file, specifier, services);
        if (reason) found.push(`${file}:${index + 1}: ${reason}`);
      }
    });
  }
  return found;
}

/** Tracked and new (not ignored) .ts files that exist in the working tree. */
function typeScriptFiles(): string[] {
  const output = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', '*.ts'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
  return output
    .split('\0')
    .filter((file) => file.length > 0 && !file.includes('node_modules/'))
    .filter((file) => existsSync(join(repoRoot, file)));
}

describe('service boundaries', () => {
  const services = readServices(repoRoot);

  it('reads the services from services/*/package.json', () => {
    // Prepare / Act / Assess
    expect(services.map((service) => service.name)).toEqual(
      expect.arrayContaining([
        '@ir/detection',
        '@ir/response-coordinator',
        '@ir/isolator',
        '@ir/forensics',
        '@ir/notifier',
      ]),
    );
  });

  it('flags imports into another service and lets a service import itself', () => {
    // Prepare
    const coordinator = 'services/response-coordinator/src/api/report.ts';
    // Act / Assess
    // Built from parts, so this file's own scan does not see an import here.
    const forensics = ['@ir', 'forensics'].join('/');
    expect(specifiersOf(`import { verify } from '${forensics}/verifier';`)).toEqual([
      `${forensics}/verifier`,
    ]);
    expect(specifiersOf('const m = await import(\'../x.js\'); export * from "./y.js";')).toEqual([
      '../x.js',
      './y.js',
    ]);
    expect(violationOf(coordinator, '@ir/forensics/verifier', services)).toMatch(/@ir\/forensics/);
    expect(violationOf(coordinator, '@ir/isolator', services)).toMatch(/@ir\/isolator/);
    expect(violationOf(coordinator, '../../../forensics/src/verifier/index.js', services)).toMatch(
      /services\/forensics/,
    );
    expect(violationOf('test/e2e/a.test.ts', '../../services/notifier/src/app.js', services)).toMatch(
      /services\/notifier/,
    );
    expect(violationOf(coordinator, '../state/decide.js', services)).toBeUndefined();
    expect(violationOf(coordinator, '@ir/response-coordinator', services)).toBeUndefined();
    expect(violationOf(coordinator, '@ir/contracts', services)).toBeUndefined();
    expect(violationOf(coordinator, '@ir/isolator-extra', services)).toBeUndefined();
  });

  it('finds no import of one service from outside it', () => {
    // Prepare
    const files = typeScriptFiles();
    // Act
    const violations = scan(files, services);
    // Assess
    expect(files.length).toBeGreaterThan(100);
    for (const file of Object.keys(WHOLE_SYSTEM_FILES)) expect(files, file).toContain(file);
    expect(violations, violations.join('\n')).toEqual([]);
  });
});
