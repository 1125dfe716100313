import { z } from 'zod';
import { Finding } from './finding.js';
import { NativeFinding } from './findings/native.js';
import { messageSchemas } from './message-schemas.js';
import { MessageType } from './message-types.js';

/** A JSON Schema document as produced by `z.toJSONSchema`. */
export type JsonSchemaDocument = Record<string, unknown>;

/**
 * JSON Schemas (draft 2020-12) for every message envelope (keyed by message type), the normalised
 * `finding` and the `native-finding` input format. Why: people outside TypeScript (detector
 * authors, other languages, reviewers) read and validate against these; docs/schemas is generated
 * from this by packages/contracts/scripts/export-json-schemas.ts.
 */
export function jsonSchemas(): Record<string, JsonSchemaDocument> {
  const documents: Record<string, JsonSchemaDocument> = {
    finding: withTitle(z.toJSONSchema(Finding, { io: 'output' }), 'Finding (normalised)'),
    // Input side: what a detector writes, with optional fields that parsing fills in.
    'native-finding': withTitle(
      z.toJSONSchema(NativeFinding, { io: 'input' }),
      'Native finding (ir.finding/v1)',
    ),
  };
  for (const type of MessageType.options) {
    documents[type] = withTitle(z.toJSONSchema(messageSchemas[type], { io: 'output' }), `Message ${type}`);
  }
  return documents;
}

function withTitle(schema: JsonSchemaDocument, title: string): JsonSchemaDocument {
  const { $schema, ...rest } = schema;
  return { $schema, title, ...rest };
}
