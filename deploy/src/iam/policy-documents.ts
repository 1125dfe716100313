import type * as iam from 'aws-cdk-lib/aws-iam';
import { coordinatorReportStatements } from './coordinator-report-policy.js';
import { forensicsStatements } from './forensics-policy.js';
import { isolatorStatements } from './isolator-policy.js';
import { notifierFindingSyncStatements } from './notifier-finding-sync-policy.js';
import { DOCUMENT_REFS } from './policy-refs.js';
import type { PolicyJson, PolicyStatementJson } from './policy-json.js';

/**
 * The documents of docs/iam, keyed by file name, rendered from the statements the stacks attach
 * (with `${Name}` placeholders for deployment values). Why generated: a hand-kept copy drifted from
 * what was deployed; the unit test iam-docs.test.ts fails when the committed files differ from this.
 */
export function iamPolicyDocuments(): Record<string, PolicyJson> {
  const render = (statements: iam.PolicyStatement[]): PolicyJson => ({
    Version: '2012-10-17',
    Statement: statements.map((statement) => inIamOrder(statement.toJSON() as PolicyStatementJson)),
  });
  return {
    'coordinator-report-policy.json': render(coordinatorReportStatements(DOCUMENT_REFS)),
    'forensics-policy.json': render(forensicsStatements(DOCUMENT_REFS)),
    'isolator-policy.json': render(isolatorStatements(DOCUMENT_REFS.partition)),
    'notifier-finding-sync-policy.json': render(
      notifierFindingSyncStatements(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a docs/iam placeholder, not a template
        { partition: DOCUMENT_REFS.partition, account: '${SecurityAccountId}' },
        { securityHub: true, guardDutyArchive: true },
      ),
    ),
  };
}

/** A document as written to docs/iam: two-space JSON with a final newline. */
export function formatPolicyDocument(document: PolicyJson): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The statement's keys in the order the IAM console and AWS documentation write them. */
function inIamOrder(statement: PolicyStatementJson): PolicyStatementJson {
  const { Sid, Effect, Action, Resource, Condition } = statement;
  return { ...(Sid ? { Sid } : {}), Effect, Action, Resource, ...(Condition ? { Condition } : {}) };
}
