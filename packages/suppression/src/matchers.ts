import { BlockList, isIPv6 } from 'node:net';
import {
  compareBands,
  type Finding,
  type IamAccessKeyResource,
  resourceKey,
  type SuppressionMatch,
  type SuppressionRule,
} from '@ir/contracts';
import { partitionOf } from '@ir/runtime';
import picomatch from 'picomatch';

/** A rule ready to evaluate: its criteria compiled once at start. */
export interface CompiledRule {
  readonly name: string;
  readonly reason: string;
  /** The rule stops applying at this instant. */
  readonly expiresAt?: Date | undefined;
  /** True when every criterion matches. May throw on input nobody foresaw; the caller escalates. */
  readonly matches: (finding: Finding) => boolean;
}

/**
 * Glob options: `bash` makes `*` cross `/` (finding types and ARNs contain slashes); negation and
 * extglobs are off because `!` and `(` occur in finding types (`...B!DNS`).
 */
const GLOB_OPTIONS = { bash: true, dot: true, nonegate: true, noextglob: true } as const;

type Criterion = (finding: Finding) => boolean;

/**
 * A literal value as a glob that matches only itself: proposals name exact finding types and
 * resource keys, and those contain characters picomatch would read as syntax (`(`, `{`, `*`).
 */
export function literalGlob(value: string): string {
  return value.replace(/[\\*?[\]{}()!+@|^$]/g, '\\$&');
}

/** Compiles a validated rule. */
export function compileRule(rule: SuppressionRule): CompiledRule {
  const criteria = compileCriteria(rule.match);
  return {
    name: rule.name,
    reason: rule.reason,
    expiresAt: rule.expiresAt === undefined ? undefined : new Date(rule.expiresAt),
    matches: (finding) => criteria.every((criterion) => criterion(finding)),
  };
}

function compileCriteria(match: SuppressionMatch): Criterion[] {
  const criteria: Criterion[] = [];
  if (match.findingTypes) {
    const isType = picomatch(match.findingTypes, GLOB_OPTIONS);
    criteria.push((finding) => isType(finding.type));
  }
  if (match.severityBelow) {
    const below = match.severityBelow;
    criteria.push((finding) => compareBands(finding.severity.band, below) < 0);
  }
  if (match.accounts) {
    const accounts = new Set(match.accounts);
    criteria.push((finding) => accounts.has(finding.accountId));
  }
  if (match.regions) {
    const regions = new Set(match.regions);
    criteria.push((finding) => regions.has(finding.region));
  }
  if (match.resources) {
    // Every resource: a finding about a listed and an unlisted resource is also about the other.
    const isResource = picomatch(match.resources, GLOB_OPTIONS);
    criteria.push((finding) => finding.resources.every((resource) => isResource(resourceKey(resource))));
  }
  if (match.resourceTags) criteria.push(resourceTagsCriterion(match.resourceTags));
  if (match.remoteIpCidrs) criteria.push(remoteIpCriterion(match.remoteIpCidrs));
  if (match.principalArns) {
    const isArn = picomatch(match.principalArns, GLOB_OPTIONS);
    criteria.push((finding) => {
      const principals = finding.resources.filter((resource) => resource.kind === 'iam-access-key');
      return (
        principals.length > 0 &&
        principals.every((principal) => principalArns(principal, finding).some((arn) => isArn(arn)))
      );
    });
  }
  return criteria;
}

/**
 * Every resource must carry the tags. Why every: a finding naming a tagged and an untagged bucket
 * is not only about the tagged one, and suppressing it would hide the other.
 */
function resourceTagsCriterion(wanted: Readonly<Record<string, string>>): Criterion {
  const pairs = Object.entries(wanted);
  return (finding) =>
    finding.resources.every((resource) => {
      const tags = 'tags' in resource ? resource.tags : undefined;
      return (
        tags !== undefined &&
        pairs.every(([key, value]) => tags[key] !== undefined && (value === '*' || tags[key] === value))
      );
    });
}

/**
 * Every remote IP must be in a listed block, and there must be at least one. Why every: a port
 * probe from the team's scanner and from an attacker in one finding must not be suppressed.
 */
function remoteIpCriterion(cidrs: readonly string[]): Criterion {
  const blocks = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix] = cidr.split('/');
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    blocks.addSubnet(address, prefix === undefined ? (type === 'ipv6' ? 128 : 32) : Number(prefix), type);
  }
  return (finding) => {
    const remotes = finding.network?.remoteIps ?? [];
    return remotes.length > 0 && remotes.every(({ ip }) => blocks.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4'));
  };
}

/**
 * The IAM ARNs a principal may be written as. Sources rarely give the ARN itself, so it is rebuilt
 * from the role or user name in the finding's account and partition; the given ARN (with its path)
 * is tried too.
 */
export function principalArns(principal: IamAccessKeyResource, finding: Finding): string[] {
  const base = `arn:${partitionOf(finding.region)}:iam::${finding.accountId}`;
  const arns: string[] = [];
  if (principal.roleArn) arns.push(principal.roleArn);
  if (principal.roleName) arns.push(`${base}:role/${principal.roleName}`);
  if (principal.userType === 'Root') arns.push(`${base}:root`);
  else if (principal.userName && !principal.roleName) arns.push(`${base}:user/${principal.userName}`);
  return arns;
}
