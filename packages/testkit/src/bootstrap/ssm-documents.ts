import {
  CreateDocumentCommand,
  GetDocumentCommand,
  type SSMClient,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
} from '@aws-sdk/client-ssm';
import { ownedDocumentsFor, SSM_DOCUMENT_KEYS, ssmDocumentName } from '@ir/ssm-documents';
import { isAwsError } from '../aws-errors.js';
import { ResourceSetupError } from '../errors.js';
import type { Changes } from './changes.js';

/**
 * Ensures the SSM Command documents forensics runs host commands through (`<prefix>-CollectVolatile`,
 * `-CaptureMemory`, `-CleanRoomAnalysis`), from the same definitions deploy creates them from, with
 * memory uploads pinned to `evidenceBucket`. A document whose content differs is updated and its new
 * version made the default. Returns the names by key.
 */
export async function ensureSsmDocuments(
  ssm: SSMClient,
  prefix: string,
  evidenceBucket: string,
  changes: Changes,
): Promise<Record<string, string>> {
  const documents = ownedDocumentsFor(evidenceBucket);
  const names: Record<string, string> = {};
  for (const key of SSM_DOCUMENT_KEYS) {
    const name = ssmDocumentName(prefix, key);
    names[key] = name;
    const content = JSON.stringify(documents[key]);
    const current = await currentContent(ssm, name);
    if (current === undefined) {
      try {
        await ssm.send(
          new CreateDocumentCommand({
            Name: name,
            Content: content,
            DocumentType: 'Command',
            DocumentFormat: 'JSON',
            TargetType: '/AWS::EC2::Instance',
          }),
        );
        changes.created.push(`ssm:${name}`);
      } catch (error: unknown) {
        // A concurrent bootstrap created it first; the next run converges its content.
        if (!isAwsError(error, 'DocumentAlreadyExists')) throw error;
      }
    } else if (!sameJson(current, content)) {
      const updated = await ssm.send(
        new UpdateDocumentCommand({ Name: name, Content: content, DocumentVersion: '$LATEST' }),
      );
      const version = updated.DocumentDescription?.DocumentVersion;
      if (!version) throw new ResourceSetupError(`SSM UpdateDocument ${name} returned no version`);
      await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: name, DocumentVersion: version }));
      changes.updated.push(`ssm:${name}(content)`);
    }
  }
  return names;
}

async function currentContent(ssm: SSMClient, name: string): Promise<string | undefined> {
  try {
    return (await ssm.send(new GetDocumentCommand({ Name: name }))).Content ?? '';
  } catch (error: unknown) {
    if (isAwsError(error, 'InvalidDocument')) return undefined;
    throw error;
  }
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}
