import { type Command, GetDocumentCommand, ListCommandsCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { SsmCommandDocument } from '@ir/ssm-documents';
import { expect } from 'vitest';

/**
 * The commands sent to an instance, read back from the emulator, checked against the documents as
 * the emulator stores them (created by the testkit bootstrap): each names an owned document (never
 * `AWS-RunShellScript`), and each parameter value matches that document's own `allowedPattern`.
 * moto records SendCommand's DocumentName and Parameters; it runs nothing (outputs are unit-tested).
 */
export async function ownedCommandsOn(
  ssm: SSMClient,
  instanceId: string,
  documentNames: Readonly<Record<string, string>>,
): Promise<Command[]> {
  const commands = (await ssm.send(new ListCommandsCommand({ InstanceId: instanceId }))).Commands ?? [];
  expect(commands.length).toBeGreaterThan(0);
  const owned = new Set(Object.values(documentNames));
  const stored = new Map<string, SsmCommandDocument>();
  for (const command of commands) {
    const name = command.DocumentName ?? '';
    expect(name).not.toBe('AWS-RunShellScript');
    expect(owned.has(name), `${name} is an owned document`).toBe(true);
    if (!stored.has(name)) {
      const content = (await ssm.send(new GetDocumentCommand({ Name: name }))).Content ?? '{}';
      stored.set(name, JSON.parse(content) as SsmCommandDocument);
    }
    const document = stored.get(name) as SsmCommandDocument;
    expect(command.Parameters?.commands).toBeUndefined();
    for (const [parameter, values] of Object.entries(command.Parameters ?? {})) {
      const pattern = document.parameters[parameter]?.allowedPattern;
      expect(pattern, `${name} has parameter ${parameter}`).toBeDefined();
      for (const value of values) expect(value).toMatch(new RegExp(pattern as string));
    }
  }
  return commands;
}
