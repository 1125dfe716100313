import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeOf, fileInside, pathInside } from '../../../src/console/static-files.js';

describe('fileInside / pathInside (the console directory and nothing else)', () => {
  let top: string;
  let root: string;
  beforeAll(() => {
    // Prepare: <top>/dist/{index.html, assets/app-1.js, assets/link -> <top>/secret.txt}, <top>/secret.txt
    top = mkdtempSync(join(tmpdir(), 'ir-console-files-'));
    root = join(top, 'dist');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    writeFileSync(join(root, 'assets', 'app-1.js'), 'export {};');
    writeFileSync(join(top, 'secret.txt'), 'not for the browser');
    symlinkSync(join(top, 'secret.txt'), join(root, 'assets', 'link.txt'));
    // A sibling whose name starts like the root: a prefix check without the separator would admit it.
    mkdirSync(join(top, 'dist-other'));
    writeFileSync(join(top, 'dist-other', 'x.js'), 'no');
  });
  afterAll(() => rmSync(top, { recursive: true, force: true }));

  it('finds regular files inside the root, with their size', async () => {
    expect(await fileInside(root, 'assets/app-1.js')).toEqual({
      path: join(root, 'assets', 'app-1.js'),
      size: 10,
    });
    expect(await fileInside(join(root, 'assets'), 'app-1.js')).toMatchObject({ size: 10 });
  });

  it('refuses every way out of the root', async () => {
    for (const path of [
      '../secret.txt',
      'assets/../../secret.txt',
      '..',
      join(top, 'secret.txt'),
      '../dist-other/x.js',
      'index.html\0.js',
      '',
    ]) {
      expect(pathInside(root, path), path).toBeUndefined();
      expect(await fileInside(root, path), path).toBeUndefined();
    }
  });

  it('refuses a symbolic link that points out of the root', async () => {
    expect(pathInside(root, 'assets/link.txt')).toBeDefined();
    expect(await fileInside(root, 'assets/link.txt')).toBeUndefined();
  });

  it('answers undefined for what is missing or not a file', async () => {
    expect(await fileInside(root, 'assets/missing.js')).toBeUndefined();
    expect(await fileInside(root, 'assets')).toBeUndefined();
    expect(await fileInside(root, 'index.html/x')).toBeUndefined();
  });

  it('types what vite emits and serves anything else as bytes', () => {
    expect(contentTypeOf('a/app-1.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('style-2.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeOf('logo.svg')).toBe('image/svg+xml');
    expect(contentTypeOf('font.woff2')).toBe('font/woff2');
    expect(contentTypeOf('notes')).toBe('application/octet-stream');
  });
});
