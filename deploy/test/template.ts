import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';

/** A resource of a synthesised template, as the tests read it. */
export type Resource = { Properties: Record<string, unknown>; DependsOn?: string[]; Metadata?: unknown };

/** A security group rule, inline or as its own AWS::EC2::SecurityGroupIngress/Egress resource. */
export type Rule = {
  CidrIp?: string;
  SourceSecurityGroupId?: unknown;
  DestinationSecurityGroupId?: unknown;
  FromPort?: number;
  ToPort?: number;
  IpProtocol: string;
};

/** Every resource of one type, with its logical id. */
export const resourcesOf = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.findResources(type)) as [string, Resource][];

/** The logical id of a construct's CloudFormation resource. */
export const logicalIdOf = (construct: IConstruct): string =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as never);

/** How the template refers to a security group's id. */
export const groupIdOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'GroupId'] });

/** Whether two template values are the same (intrinsics included). */
export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every rule of a group of one direction: inline, and the separate AWS::EC2::SecurityGroup… resources. */
export function rulesOf(template: Template, groupLogicalId: string, direction: 'Ingress' | 'Egress'): Rule[] {
  const group = template.toJSON().Resources[groupLogicalId] as Resource;
  const inline = (group.Properties[`SecurityGroup${direction}`] as Rule[] | undefined) ?? [];
  const separate = resourcesOf(template, `AWS::EC2::SecurityGroup${direction}`)
    .map(([, rule]) => rule.Properties)
    .filter((rule) => same(rule.GroupId, groupIdOf(groupLogicalId)));
  return [...inline, ...(separate as unknown as Rule[])];
}
