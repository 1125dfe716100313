import { describe, expect, it } from 'vitest';
import { isPlaybookError, type PlaybookError, parsePlaybook } from '../../src/index.js';

const FILE = '/etc/ir/playbooks/custom.yaml';

/** Parses YAML as the loader does and returns the PlaybookError (fails the test when it parses). */
function rejectionOf(yaml: string): PlaybookError {
  try {
    parsePlaybook(yaml, FILE);
  } catch (error: unknown) {
    expect(isPlaybookError(error), String(error)).toBe(true);
    return error as PlaybookError;
  }
  throw new Error('the playbook was accepted');
}

const header = 'id: custom\nname: Custom\n';

describe('Playbook (schema and cross-field checks)', () => {
  const invalid: { name: string; yaml: string; path: string; message: RegExp }[] = [
    {
      name: 'YAML that does not parse',
      yaml: `${header}steps: [ { id: a, action: evidence.seal }\n`,
      path: '(root)',
      message: /not valid YAML/,
    },
    {
      name: 'a missing field',
      yaml: 'id: custom\nsteps:\n  - { id: seal, action: evidence.seal }\n',
      path: 'name',
      message: /expected string/,
    },
    {
      name: 'an unknown key (a typo must not be ignored)',
      yaml: `${header}steps:\n  - { id: seal, action: evidence.seal, aftr: [x] }\n`,
      path: 'steps[0]',
      message: /aftr/,
    },
    {
      name: 'an unknown action',
      yaml: `${header}steps:\n  - { id: wipe, action: contain.wipe-disk }\n`,
      path: 'steps[0].action',
      message: /contain\.\*, evidence\.\* or notify\.incident/,
    },
    {
      name: 'a rollback action (the coordinator builds those)',
      yaml: `${header}steps:\n  - { id: undo, action: rollback.ec2-instance }\n`,
      path: 'steps[0].action',
      message: /rollbacks are built by the coordinator/,
    },
    {
      name: 'a duplicate step id',
      yaml: `${header}steps:\n  - { id: seal, action: evidence.seal }\n  - { id: seal, action: evidence.seal }\n`,
      path: 'steps[1].id',
      message: /duplicate step id 'seal' \(also steps\[0\]\)/,
    },
    {
      name: 'a dependency cycle',
      yaml: `${header}steps:\n  - { id: a, action: evidence.seal, after: [b] }\n  - { id: b, action: evidence.seal, after: [a] }\n`,
      path: 'steps[0].after',
      message: /cycle: a → b → a/,
    },
    {
      name: 'an unknown variable',
      yaml: `${header}steps:\n  - id: snap\n    action: evidence.snapshot-volumes\n    forEach: instance\n    params: { instanceId: '\${instance.id}' }\n`,
      path: 'steps[0].params.instanceId',
      message: /unknown variable '\$\{instance\.id\}'/,
    },
    {
      name: 'a variable whose fan-out is not declared',
      yaml: `${header}steps:\n  - id: snap\n    action: evidence.snapshot-volumes\n    params: { instanceId: '\${instance.instanceId}' }\n`,
      path: 'steps[0].params.instanceId',
      message: /needs 'forEach: instance'/,
    },
    {
      name: 'params the worker would reject (contracts schema)',
      yaml: `${header}steps:\n  - id: tell\n    action: notify.incident\n    params: { stage: openned, severityBand: HIGH, summary: x }\n`,
      path: 'steps[0].params.stage',
      message: /notify\.incident: Invalid option/,
    },
    {
      name: 'a parameter the action does not have',
      yaml: `${header}steps:\n  - id: snap\n    action: evidence.snapshot-volumes\n    forEach: instance\n    params: { instanceId: '\${instance.instanceId}', force: true }\n`,
      path: 'steps[0].params.force',
      message: /has no parameter 'force'/,
    },
    {
      name: 'an irreversible step without approval',
      yaml: `${header}steps:\n  - id: rm\n    action: contain.remove-login-profile\n    forEach: principal\n    params: { userName: '\${principal.userName}' }\n`,
      path: 'steps[0].approval',
      message: /cannot be undone/,
    },
    {
      name: 'two approvers on a step that needs no approval',
      yaml: `${header}steps:\n  - { id: seal, action: evidence.seal, approvers: 2 }\n`,
      path: 'steps[0].approvers',
      message: /two approvers need 'approval: required'/,
    },
    {
      name: 'three approvers (one or two are supported)',
      yaml: `${header}steps:\n  - { id: seal, action: evidence.seal, approval: required, approvers: 3 }\n`,
      path: 'steps[0].approvers',
      message: /Invalid/,
    },
    {
      name: "a 'contained' notice that is not tied to the containment",
      yaml: `${header}steps:\n  - id: tell\n    action: notify.incident\n    params: { stage: contained, severityBand: HIGH, summary: x }\n`,
      path: 'steps[0].requiresAfter',
      message: /must wait for the steps it reports/,
    },
    {
      name: 'a user-type condition on a step that does not fan out over principals',
      yaml: `${header}steps:\n  - { id: seal, action: evidence.seal, when: { userTypes: [Root] } }\n`,
      path: 'steps[0].when.userTypes',
      message: /needs 'forEach: principal'/,
    },
    {
      name: 'a generic playbook that does not match everything',
      yaml: 'id: generic\nname: G\nmatch: { minSeverity: HIGH }\nsteps:\n  - { id: seal, action: evidence.seal }\n',
      path: 'match',
      message: /must match every finding/,
    },
    {
      name: 'an unknown severity band',
      yaml: `${header}steps:\n  - { id: seal, action: evidence.seal, when: { minSeverity: SEVERE } }\n`,
      path: 'steps[0].when.minSeverity',
      message: /Invalid option/,
    },
  ];

  for (const testCase of invalid) {
    it(`rejects ${testCase.name}, naming the file and the path`, () => {
      // Prepare
      const { yaml } = testCase;

      // Act
      const error = rejectionOf(yaml);

      // Assess
      expect(error.file).toBe(FILE);
      expect(error.path).toBe(testCase.path);
      expect(error.message).toMatch(testCase.message);
      expect(error.message.startsWith(`${FILE}: ${testCase.path}: `)).toBe(true);
    });
  }

  it('reports every problem of a file, each with its path and line', () => {
    // Prepare
    const yaml = `${header}steps:\n  - { id: a, action: evidence.seal, after: [nope] }\n  - { id: a, action: evidence.seal }\n`;

    // Act
    const error = rejectionOf(yaml);

    // Assess
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['steps[0].after[0]', 'steps[1].id']);
    expect(error.issues.every((issue) => /\(line \d+\)$/.test(issue.message))).toBe(true);
  });

  it('accepts a minimal playbook and fills in the defaults', () => {
    // Prepare
    const yaml = `${header}steps:\n  - { id: seal, action: evidence.seal }\n`;

    // Act
    const playbook = parsePlaybook(yaml, FILE);

    // Assess
    expect(playbook).toMatchObject({
      priority: 0,
      match: {},
      defaultTimeoutSeconds: 600,
      audience: { LOW: 'low-priority', MEDIUM: 'team', HIGH: 'team', CRITICAL: 'on-call' },
      source: FILE,
      steps: [{ id: 'seal', after: [], approval: 'none', approvers: 1, params: {}, requiresAfter: false }],
    });
  });
});
