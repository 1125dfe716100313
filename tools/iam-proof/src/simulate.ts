import { getDenialReasons, getGrantReasons, runSimulation } from '@cloud-copilot/iam-simulate';
import type { TemplateRole } from './role-policies.js';

/** One request to authorise: an IAM action on one resource, with its request context. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  /** The account owning the resource. */
  readonly resourceAccount: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
}

/** The decision for one request, and the statements that made it. */
export interface Decision {
  readonly result: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' | 'Error';
  /** `policy/Sid` (or `policy#index`) of each decisive statement; the error message for `Error`. */
  readonly decidedBy: readonly string[];
}

const statementName = (policy: string | undefined, sid: string | undefined, index: number) =>
  `${policy ?? 'resource-policy'}/${sid ?? `#${index}`}`;

/**
 * Runs iam-simulate (Strict mode) for `request` signed by `role`, with the role's identity policies
 * and the resource's own policy when the template has one (a KMS key policy, which KMS requires; a
 * bucket policy, whose denies apply to the role too).
 */
export async function simulate(
  role: TemplateRole,
  request: IamRequest,
  resourcePolicy?: unknown,
): Promise<Decision> {
  const response = await runSimulation(
    {
      request: {
        principal: role.arn,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        // iam-simulate does not fill in the principal's own keys; key policies test them.
        contextVariables: {
          'aws:PrincipalArn': role.arn,
          'aws:PrincipalAccount': role.arn.split(':')[4] ?? '',
          'aws:PrincipalType': 'AssumedRole',
          ...request.context,
        },
      },
      identityPolicies: role.policies.map((policy) => ({
        name: policy.name,
        policy: awsOwnedDocuments(policy.document),
      })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    { simulationMode: 'Strict' },
  );
  return decisionOf(response, request, role.arn.split(':')[4] ?? '', resourcePolicy);
}

/**
 * Runs iam-simulate (Strict mode) for `request` made by an AWS service principal
 * (`events.amazonaws.com`) on behalf of a resource of the home account (`aws:SourceArn`,
 * `aws:SourceAccount`): decided by the resource's policy alone, since a service principal has no
 * identity policy.
 */
export async function simulateService(
  servicePrincipal: string,
  request: IamRequest,
  resourcePolicy: unknown,
): Promise<Decision> {
  const response = await runSimulation(
    {
      request: {
        principal: servicePrincipal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        contextVariables: { ...request.context },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    },
    { simulationMode: 'Strict' },
  );
  return decisionOf(response, request, '', resourcePolicy);
}

/** The decision and the statements that made it, from iam-simulate's answer. */
function decisionOf(
  response: Awaited<ReturnType<typeof runSimulation>>,
  request: IamRequest,
  principalAccount: string,
  resourcePolicy: unknown,
): Decision {
  if (response.resultType === 'error') {
    return { result: 'Error', decidedBy: [errorText(response.errors)] };
  }
  const analyses =
    response.resultType === 'single'
      ? [response.result.analysis]
      : response.results.map((result) => result.analysis);
  const decidedBy = analyses.flatMap((analysis) => {
    if (!analysis) return [];
    if (response.overallResult === 'Allowed') {
      return getGrantReasons(analysis).map((grant) =>
        statementName(
          'policyIdentifier' in grant ? grant.policyIdentifier : undefined,
          grant.statementId,
          grant.statementIndex,
        ),
      );
    }
    return getDenialReasons(analysis).map((denial) =>
      denial.denialType === 'Explicit'
        ? statementName(denial.policyIdentifier, denial.statementId, denial.statementIndex)
        : `no ${denial.policyType} statement allows it`,
    );
  });
  if (decidedBy.length === 0 && response.overallResult !== 'Allowed') {
    // iam-simulate names no reason for a call into another account that only the caller's identity
    // policy allows: AWS needs the resource's own policy (a key policy, a role's trust) to allow it too.
    const crossAccount = principalAccount !== '' && request.resourceAccount !== principalAccount;
    decidedBy.push(
      crossAccount && !resourcePolicy
        ? 'no resource policy of the other account allows it (none known to the proof)'
        : 'no identity statement allows it',
    );
  }
  return { result: response.overallResult, decidedBy: [...new Set(decidedBy)] };
}

/**
 * `arn:…:ssm:<region>::document/AWS-…` (AWS-owned documents have no account) as `:*:document/`: see
 * the SSM mapping in call-mapping.ts for why requests name them in the caller's account.
 */
function awsOwnedDocuments(document: unknown): unknown {
  return JSON.parse(JSON.stringify(document).replace(/(:ssm:[^:"]*)::document\//g, '$1:*:document/'));
}

function errorText(errors: { message: string }): string {
  const details = Object.entries(errors)
    .filter(([key]) => key !== 'message')
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return [errors.message, ...details].join('; ').slice(0, 600);
}
