import { type CfnTemplate, createResolver, type ResolveContext } from './template-resolver.js';

/** One identity policy of a role, resolved to concrete ARNs. */
export interface RolePolicy {
  /** The managed policy's name, or the logical id of an inline or `AWS::IAM::Policy` resource. */
  readonly name: string;
  readonly document: { readonly Version?: string; readonly Statement: unknown };
}

/** A role of a template with every identity policy attached to it. */
export interface TemplateRole {
  readonly logicalId: string;
  readonly roleName: string;
  readonly arn: string;
  readonly policies: readonly RolePolicy[];
  /** Managed policies outside the template (AWS-managed): the proof cannot see their statements. */
  readonly externalPolicyArns: readonly string[];
  /**
   * The role's trust policy, resolved: the resource policy `sts:AssumeRole` of the role is decided by
   * (with the caller's identity policy; a cross-account assumption needs both).
   */
  readonly trustPolicy?: unknown;
}

const refersTo = (value: unknown, logicalId: string): boolean =>
  typeof value === 'object' && value !== null && (value as { Ref?: unknown }).Ref === logicalId;

/**
 * Every `AWS::IAM::Role` of the template with its policies: inline `Policies`, `AWS::IAM::Policy` and
 * `AWS::IAM::ManagedPolicy` resources that list the role, and `ManagedPolicyArns` that are managed
 * policies of the same template. All resolved for one deployment (`context`).
 */
export function templateRoles(template: CfnTemplate, context: ResolveContext): TemplateRole[] {
  const { resolve, attributeOf, ref } = createResolver(template, context);
  const resources = Object.entries(template.Resources);
  return resources
    .filter(([, resource]) => resource.Type === 'AWS::IAM::Role')
    .map(([logicalId, role]) => {
      const properties = role.Properties ?? {};
      const policies: RolePolicy[] = [];
      for (const inline of (properties.Policies as { PolicyName: unknown; PolicyDocument: unknown }[]) ??
        []) {
        policies.push({
          name: String(resolve(inline.PolicyName)),
          document: resolve(inline.PolicyDocument) as RolePolicy['document'],
        });
      }
      const externalPolicyArns: string[] = [];
      const attachedByArn = new Set<string>();
      for (const attached of (properties.ManagedPolicyArns as unknown[]) ?? []) {
        const target =
          typeof attached === 'object' && attached !== null ? (attached as { Ref?: unknown }).Ref : undefined;
        if (typeof target === 'string' && template.Resources[target]?.Type === 'AWS::IAM::ManagedPolicy') {
          attachedByArn.add(target);
        } else {
          externalPolicyArns.push(String(resolve(attached)));
        }
      }
      for (const [policyId, policy] of resources) {
        const listed = ((policy.Properties?.Roles as unknown[]) ?? []).some((r) => refersTo(r, logicalId));
        if (policy.Type === 'AWS::IAM::Policy' && listed) {
          policies.push({
            name: policyId,
            document: resolve(policy.Properties?.PolicyDocument) as RolePolicy['document'],
          });
        }
        if (policy.Type === 'AWS::IAM::ManagedPolicy' && (listed || attachedByArn.has(policyId))) {
          const name = policy.Properties?.ManagedPolicyName;
          policies.push({
            name: name === undefined ? policyId : String(resolve(name)),
            document: resolve(policy.Properties?.PolicyDocument) as RolePolicy['document'],
          });
        }
      }
      return {
        logicalId,
        roleName: ref(logicalId),
        arn: attributeOf(logicalId, 'Arn'),
        policies,
        externalPolicyArns,
        ...(properties.AssumeRolePolicyDocument
          ? { trustPolicy: resolve(properties.AssumeRolePolicyDocument) }
          : {}),
      };
    });
}
