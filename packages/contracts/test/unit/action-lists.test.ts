import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  containActions,
  evidenceActions,
  irreversibleContainActions,
  jsonSchemas,
  MessageType,
  notifyActions,
  payloadSchemas,
  rollbackActions,
  StepAction,
} from '@ir/contracts';
import { describe, expect, it } from 'vitest';

/** The `action` literal a step command's payload schema accepts. */
function actionOf(type: keyof typeof payloadSchemas): unknown {
  const schema = payloadSchemas[type] as unknown as { shape: { action?: { value: unknown } } };
  return schema.shape.action?.value;
}

describe('action lists', () => {
  it('key every command by the action its schema accepts', () => {
    // Prepare
    const commands = [...containActions, ...rollbackActions, ...evidenceActions, ...notifyActions];
    // Act
    const mismatched = commands.filter((action) => actionOf(action) !== action);
    // Assess
    expect(mismatched).toEqual([]);
    expect(StepAction.options).toEqual(commands);
  });

  it('derive one rollback per reversible containment, and none for an irreversible one', () => {
    // Prepare / Act
    const undone = rollbackActions.map((action) => action.replace('rollback.', 'contain.'));
    const irreversible: ReadonlySet<string> = new Set(irreversibleContainActions);
    // Assess
    expect([...irreversibleContainActions].sort()).toEqual(
      ['contain.ecs-task-stop', 'contain.remove-login-profile', 'contain.s3-object-delete'].sort(),
    );
    expect(undone).toEqual(containActions.filter((action) => !irreversible.has(action)));
    expect(rollbackActions).toContain('rollback.ec2-instance');
  });

  it('give every message type a payload schema, and nothing else', () => {
    // Prepare / Act / Assess
    expect(Object.keys(payloadSchemas).sort()).toEqual([...MessageType.options].sort());
  });
});

describe('docs/schemas', () => {
  it('matches jsonSchemas() (run packages/contracts/scripts/export-json-schemas.ts)', () => {
    // Prepare
    const dir = join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'schemas');
    const committed = Object.fromEntries(
      readdirSync(dir)
        .filter((file) => file.endsWith('.json'))
        .map((file) => [file.slice(0, -'.json'.length), readFileSync(join(dir, file), 'utf8')]),
    );
    // Act
    const generated = Object.fromEntries(
      Object.entries(jsonSchemas()).map(([name, schema]) => [name, `${JSON.stringify(schema, null, 2)}\n`]),
    );
    // Assess
    expect(Object.keys(committed).sort()).toEqual(Object.keys(generated).sort());
    for (const [name, text] of Object.entries(generated)) expect(committed[name], name).toBe(text);
  });
});
