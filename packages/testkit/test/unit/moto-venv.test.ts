import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MOTO_VERSION, motoVenvDir, venvPython } from '../../src/index.js';

describe('motoVenvDir', () => {
  it('defaults to ~/.cache/ir-moto/venv-<version>', () => {
    // Prepare
    const env = {};

    // Act
    const dir = motoVenvDir(env, '/home/dev');

    // Assess
    expect(dir).toBe(join('/home/dev', '.cache', 'ir-moto', `venv-${MOTO_VERSION}`));
  });

  it('follows an absolute XDG_CACHE_HOME and ignores a relative one', () => {
    // Prepare
    const absolute = { XDG_CACHE_HOME: '/var/cache/ci' };
    const relative = { XDG_CACHE_HOME: 'cache' };

    // Act
    const fromAbsolute = motoVenvDir(absolute, '/home/dev', '9.9.9');
    const fromRelative = motoVenvDir(relative, '/home/dev', '9.9.9');

    // Assess
    expect(fromAbsolute).toBe(join('/var/cache/ci', 'ir-moto', 'venv-9.9.9'));
    expect(fromRelative).toBe(join('/home/dev', '.cache', 'ir-moto', 'venv-9.9.9'));
  });

  it('lets IR_MOTO_VENV override everything', () => {
    // Prepare
    const env = { IR_MOTO_VENV: '/opt/moto', XDG_CACHE_HOME: '/var/cache/ci' };

    // Act
    const dir = motoVenvDir(env, '/home/dev');

    // Assess
    expect(dir).toBe('/opt/moto');
  });
});

describe('venvPython', () => {
  it('finds the interpreter where venv puts it on each platform', () => {
    // Prepare
    const dir = '/opt/moto';

    // Act
    const posix = venvPython(dir, 'linux');
    const windows = venvPython(dir, 'win32');

    // Assess
    expect(posix).toBe(join(dir, 'bin', 'python'));
    expect(windows).toBe(join(dir, 'Scripts', 'python.exe'));
  });
});
