// biome-ignore-all lint/suspicious/noTemplateCurlyInString: playbook templates use ${variable} inside plain strings, on purpose.
import { describe, expect, it } from 'vitest';
import { renderTemplate, templateReferences } from '../../src/template.js';

const values: Record<string, unknown> = { 'a.name': 'alice', 'a.port': 22 };
const resolve = (name: string) => values[name];

describe('renderTemplate', () => {
  it('keeps the type of a whole-value placeholder and interpolates inside text', () => {
    // Prepare
    const template = { port: '${a.port}', text: 'user ${a.name} on ${a.port}', list: ['${a.name}'], n: 3 };

    // Act
    const rendered = renderTemplate(template, resolve);

    // Assess
    expect(rendered).toEqual({
      ok: true,
      value: { port: 22, text: 'user alice on 22', list: ['alice'], n: 3 },
    });
  });

  it('leaves out an optional value that is missing and reports a required one', () => {
    // Prepare
    const optional = { key: '${a.key?}', text: 'key ${a.key?}.', list: ['${a.key?}', 'x'] };
    const required = { key: '${a.key}' };

    // Act
    const withOptional = renderTemplate(optional, resolve);
    const withRequired = renderTemplate(required, resolve);

    // Assess
    expect(withOptional).toEqual({ ok: true, value: { text: 'key .', list: ['x'] } });
    expect(withRequired).toEqual({ ok: false, missing: 'a.key' });
  });
});

describe('templateReferences', () => {
  it('finds every placeholder with its path', () => {
    // Prepare
    const template = { details: { who: '${a.name}', keys: ['x', '${a.key?}'] } };

    // Act
    const references = templateReferences(template);

    // Assess
    expect(references).toEqual([
      { name: 'a.name', optional: false, path: ['details', 'who'] },
      { name: 'a.key', optional: true, path: ['details', 'keys', 1] },
    ]);
  });
});
