import { type CallRecord, ec2Arn, iamRequestsFor, type MappingContext } from './call-mapping.js';
import { type CleanRoomValues, cleanRoomCalls, escalationPaths, type ProofAccounts } from './checks.js';
import { sendMessage, templateQueues, unrelatedRole } from './queue-policies.js';
import { templateRoles, type TemplateRole } from './role-policies.js';
import { type Decision, type IamRequest, simulate } from './simulate.js';
import { bindCleanRoom, bindToStack, type ServiceSettings, serviceSettings } from './stack-bindings.js';
import { type CfnTemplate, createResolver, partitionFor } from './template-resolver.js';

/** Stand-in accounts of the proof: every recorded security account is HOME, every member MEMBER. */
export const HOME_ACCOUNT = '111111111111';
export const MEMBER_ACCOUNT = '222222222222';

/**
 * One failed check: a real call denied, or an escalation allowed; or a task role in the template of a
 * service {@link DEPLOYED_SERVICES} does not name (its calls would go unproved).
 */
export interface Finding {
  readonly role: string;
  readonly kind:
    | 'call-denied'
    | 'call-unmapped'
    | 'escalation-open'
    | 'clean-room-denied'
    | 'service-unlisted'
    | 'queue-open';
  readonly what: string;
  readonly request?: IamRequest;
  readonly decision?: Decision;
}

/** Counts per role for the printed table. */
export interface RoleTally {
  allowed: number;
  denied: number;
  escalationsChecked: number;
  escalationsOpen: number;
}

/** Everything a proof run found. */
export interface ProofResult {
  readonly tallies: Map<string, RoleTally>;
  readonly findings: Finding[];
  readonly recordCount: number;
  /**
   * Records of services the stack does not deploy (test-only workers, such as the runtime's `echo`),
   * counted per service: not proved, and not findings, but reported so they stay visible.
   */
  readonly notProved: Map<string, number>;
}

/** The two synthesised templates. */
export interface ProofTemplates {
  readonly system: CfnTemplate;
  readonly member: CfnTemplate;
}

/**
 * The services the system stack deploys (deploy/src/config.ts `SERVICE_NAMES`), each with a task role
 * `<prefix>-<service>-task`. A record of any other service (a worker only the tests run) is not proved:
 * no deployed role makes its calls. The proof checks this list against the template both ways: a
 * listed service without a task role fails its calls, and a task role of an unlisted service is a
 * finding, so the list cannot drift from the stack unnoticed.
 */
export const DEPLOYED_SERVICES = [
  'detection',
  'response-coordinator',
  'isolator',
  'forensics',
  'notifier',
] as const;

/**
 * Replaces the emulator's account ids in a record with the stand-ins, so its ARNs meet the resolved
 * templates: the account a task-principal record acted in is the security account; a member record's
 * is a member account.
 */
export function accountMap(records: readonly CallRecord[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const record of records) if (record.principal === 'task') map.set(record.account, HOME_ACCOUNT);
  for (const record of records)
    if (record.principal === 'member' && !map.has(record.account)) map.set(record.account, MEMBER_ACCOUNT);
  return map;
}

/** The record with every mapped account id replaced (in ARNs, URLs and fields alike). */
export function rebind(
  record: CallRecord,
  accounts: ReadonlyMap<string, string>,
  evidenceBucket: string,
): CallRecord {
  let text = JSON.stringify(record);
  for (const [from, to] of accounts) text = text.replaceAll(from, to);
  // The emulator's evidence bucket (`<prefix>-evidence-<account>`) is the stack's evidence bucket.
  text = text.replace(/"ir-evidence-\d{12}(-[a-z0-9-]+)?"/g, JSON.stringify(evidenceBucket));
  return JSON.parse(text) as CallRecord;
}

/** Resource tags as the call log shows them, replayed in order: what `aws:ResourceTag` sees. */
export function createTagState() {
  const tags = new Map<string, Record<string, string>>();
  const set = (arn: string, pairs: readonly { Key?: unknown; Value?: unknown }[]) => {
    const current = tags.get(arn) ?? {};
    for (const pair of pairs) if (typeof pair.Key === 'string') current[pair.Key] = String(pair.Value ?? '');
    tags.set(arn, current);
  };
  return {
    tagsOf: (arn: string) => tags.get(arn) ?? {},
    set,
    /** Learns from a successful call: tags it wrote, and tags of what it created or described. */
    learn(record: CallRecord) {
      if (record.outcome !== 'success') return;
      if (record.client === 'cloudtrail') {
        const input = record.input as Record<string, unknown>;
        const trail = typeof input.ResourceId === 'string' ? input.ResourceId : undefined;
        if (!trail) return;
        const arn = trail.startsWith('arn:')
          ? trail
          : `arn:${partitionFor(record.region)}:cloudtrail:${record.region}:${record.account}:trail/${trail}`;
        const pairs = Array.isArray(input.TagsList)
          ? (input.TagsList as { Key?: unknown; Value?: unknown }[])
          : [];
        if (record.operation === 'AddTags') set(arn, pairs);
        if (record.operation === 'RemoveTags')
          for (const pair of pairs) delete tags.get(arn)?.[String(pair.Key)];
        return;
      }
      if (record.client !== 'ec2') return;
      const where = {
        partition: partitionFor(record.region),
        region: record.region,
        account: record.account,
      };
      const arnOf = (id: string) => {
        try {
          return ec2Arn(id, where);
        } catch {
          return undefined;
        }
      };
      const input = record.input as Record<string, unknown>;
      const output = (record.output ?? {}) as Record<string, unknown>;
      const list = (value: unknown) => (Array.isArray(value) ? (value as Record<string, unknown>[]) : []);
      if (record.operation === 'CreateTags' || record.operation === 'DeleteTags') {
        for (const id of list(input.Resources) as unknown as string[]) {
          const arn = arnOf(id);
          if (!arn) continue;
          if (record.operation === 'CreateTags') set(arn, list(input.Tags));
          else for (const tag of list(input.Tags)) delete tags.get(arn)?.[String(tag.Key)];
        }
      }
      const specs = list(input.TagSpecifications);
      const created: [string, string][] = [
        ...list(output.Instances).map((i) => ['instance', String(i.InstanceId)] as [string, string]),
        ...list(output.Snapshots).map((s) => ['snapshot', String(s.SnapshotId)] as [string, string]),
        ...(typeof output.VolumeId === 'string' ? [['volume', output.VolumeId] as [string, string]] : []),
        ...(typeof output.SnapshotId === 'string'
          ? [['snapshot', output.SnapshotId] as [string, string]]
          : []),
        ...(typeof output.GroupId === 'string'
          ? [['security-group', output.GroupId] as [string, string]]
          : []),
      ];
      for (const [type, id] of created) {
        const arn = arnOf(id);
        if (!arn) continue;
        for (const spec of specs) if (spec.ResourceType === type) set(arn, list(spec.Tags));
      }
      const described = [
        ...list(output.Reservations).flatMap((r) => list(r.Instances)),
        ...list(output.Instances),
        ...list(output.Volumes),
        ...list(output.Snapshots),
        ...list(output.SecurityGroups),
      ];
      for (const item of described) {
        const id = item.InstanceId ?? item.VolumeId ?? item.SnapshotId ?? item.GroupId;
        const arn = typeof id === 'string' ? arnOf(id) : undefined;
        if (arn && Array.isArray(item.Tags)) {
          tags.set(arn, {});
          set(arn, list(item.Tags));
        }
      }
    },
  };
}

const requestKey = (role: string, request: IamRequest) =>
  JSON.stringify([role, request.action, request.resource, request.resourceAccount, request.context ?? {}]);

/**
 * The proof: every recorded call simulated against the role that made it (the service's task role,
 * or the member response role when it acted through it), every escalation path against every task
 * role and the member role, and the clean room's calls against the forensics task role.
 */
export async function prove(
  templates: ProofTemplates,
  records: readonly CallRecord[],
  options: { region?: string; prefix?: string } = {},
): Promise<ProofResult> {
  const region = options.region ?? 'us-east-1';
  const prefix = options.prefix ?? 'ir';
  const partition = partitionFor(region);
  const system = createResolver(templates.system, { accountId: HOME_ACCOUNT, region });
  const systemRoles = templateRoles(templates.system, { accountId: HOME_ACCOUNT, region });
  const resources = Object.entries(templates.system.Resources);
  const logicalIdOf = (type: string, pattern: RegExp) =>
    resources.find(([id, resource]) => resource.Type === type && pattern.test(id))?.[0];
  const bucketId = logicalIdOf('AWS::S3::Bucket', /^Evidence.*Bucket/) ?? '';
  const keyId = logicalIdOf('AWS::KMS::Key', /^Evidence.*Key/) ?? '';
  const evidenceBucket = bucketId ? String(system.ref(bucketId)) : `${prefix}-evidence`;
  const evidenceKeyArn = keyId
    ? system.attributeOf(keyId, 'Arn')
    : `arn:${partition}:kms:${region}:${HOME_ACCOUNT}:key/none`;
  const memberParameters = {
    SecurityAccountId: HOME_ACCOUNT,
    ExternalId: 'external-id-of-the-proof',
    EvidenceKeyId: evidenceKeyArn.split('/').pop() ?? '',
    SystemPrefix: prefix,
  };
  // The member stack's response role(s): one shared role, or one per acting service (TRAPS.md 20).
  const memberRoles = templateRoles(templates.member, {
    accountId: MEMBER_ACCOUNT,
    region,
    parameters: memberParameters,
  }).filter((role) => /ResponseRole/.test(role.logicalId));
  const memberRoleOf = (service: string) =>
    memberRoles.find((role) => role.roleName === `${prefix}-${service}-response`) ??
    (memberRoles.length === 1 ? memberRoles[0] : undefined);
  const taskRole = (service: string) =>
    systemRoles.find((role) => role.roleName === `${prefix}-${service}-task`);
  const accounts: ProofAccounts = {
    home: HOME_ACCOUNT,
    member: MEMBER_ACCOUNT,
    region,
    partition,
    evidenceBucket,
    evidenceKeyArn,
    memberRoleName: memberRoles[0]?.roleName ?? 'ir-response',
  };

  // KMS: an alias resolves through the template's aliases; any other key of the security account is
  // the evidence key (the only key the services are given besides aliased ones).
  const aliases = new Map(
    resources
      .filter(([, resource]) => resource.Type === 'AWS::KMS::Alias')
      .map(([, resource]) => {
        const properties = system.resolve(resource.Properties) as { AliasName: string; TargetKeyId: string };
        const target = properties.TargetKeyId.startsWith('arn:')
          ? properties.TargetKeyId
          : `arn:${partition}:kms:${region}:${HOME_ACCOUNT}:key/${properties.TargetKeyId}`;
        return [properties.AliasName, target] as const;
      }),
  );
  const keyArn = (key: string, account: string, keyRegion: string) => {
    const alias = key.startsWith('alias/')
      ? key
      : key.includes(':alias/')
        ? `alias/${key.split(':alias/')[1]}`
        : undefined;
    if (alias) return aliases.get(alias) ?? `arn:${partition}:kms:${keyRegion}:${account}:${alias}`;
    const owner = key.startsWith('arn:') ? (key.split(':')[4] ?? account) : account;
    if (owner === HOME_ACCOUNT) return evidenceKeyArn;
    return key.startsWith('arn:') ? key : `arn:${partition}:kms:${keyRegion}:${owner}:key/${key}`;
  };

  // Resource policies of the template by the ARN they govern: key policies and bucket policies.
  const resourcePolicies = new Map<string, unknown>();
  for (const [logicalId, resource] of resources) {
    if (resource.Type === 'AWS::KMS::Key' && resource.Properties?.KeyPolicy)
      resourcePolicies.set(
        system.attributeOf(logicalId, 'Arn'),
        system.resolve(resource.Properties.KeyPolicy),
      );
    if (resource.Type === 'AWS::S3::BucketPolicy') {
      const properties = system.resolve(resource.Properties) as { Bucket: string; PolicyDocument: unknown };
      resourcePolicies.set(`arn:${partition}:s3:::${properties.Bucket}`, properties.PolicyDocument);
    }
  }
  // Queue policies: their Deny of SendMessage to unlisted senders applies to the services' sends too.
  const queues = templateQueues(templates.system, system, HOME_ACCOUNT);
  for (const queue of queues) if (queue.policy) resourcePolicies.set(queue.arn, queue.policy);
  // Trust policies of the member roles: AssumeRole across accounts needs the role's trust as well.
  for (const role of memberRoles) if (role.trustPolicy) resourcePolicies.set(role.arn, role.trustPolicy);
  const resourcePolicyOf = (arn: string) =>
    resourcePolicies.get(arn) ??
    (arn.startsWith(`arn:${partition}:s3:::`) ? resourcePolicies.get(arn.split('/')[0] ?? '') : undefined);

  const cleanRoom = cleanRoomValues(templates.system, system, region);
  const profileRole = (profile: string) => {
    if (!cleanRoom) return undefined;
    const name = profile.split('/').pop();
    return name === cleanRoom.values.instanceProfileName ? cleanRoom.instanceRoleArn : undefined;
  };

  const tallies = new Map<string, RoleTally>();
  const tally = (role: string) => {
    const found = tallies.get(role) ?? { allowed: 0, denied: 0, escalationsChecked: 0, escalationsOpen: 0 };
    tallies.set(role, found);
    return found;
  };
  const findings: Finding[] = [];
  const notProved = new Map<string, number>();
  const deployed = new Set<string>(DEPLOYED_SERVICES);
  const taskRoleName = new RegExp(`^${prefix}-(.+)-task$`);
  for (const role of systemRoles) {
    const service = taskRoleName.exec(role.roleName)?.[1];
    if (service && !deployed.has(service))
      findings.push({
        role: role.roleName,
        kind: 'service-unlisted',
        what: `the template has the task role of service ${service}, which DEPLOYED_SERVICES (prove.ts) does not list: its calls would not be proved`,
      });
  }
  const seen = new Map<string, Decision>();
  const decide = async (role: TemplateRole, request: IamRequest) => {
    const key = requestKey(role.roleName, request);
    const cached = seen.get(key);
    if (cached) return { decision: cached, fresh: false };
    const decision = await simulate(role, request, resourcePolicyOf(request.resource));
    seen.set(key, decision);
    return { decision, fresh: true };
  };

  const checkCalls = async (
    calls: readonly CallRecord[],
    kind: 'call-denied' | 'clean-room-denied',
    preset?: (state: ReturnType<typeof createTagState>) => void,
  ) => {
    const state = createTagState();
    preset?.(state);
    const context: MappingContext = { tagsOf: state.tagsOf, keyArn, profileRole };
    for (const record of calls) {
      const role = record.principal === 'member' ? memberRoleOf(record.service) : taskRole(record.service);
      const roleName = role?.roleName ?? `${prefix}-${record.service}-task`;
      let requests: IamRequest[] = [];
      try {
        requests = await iamRequestsFor(record, context);
      } catch (error: unknown) {
        tally(roleName).denied += 1;
        findings.push({
          role: roleName,
          kind: 'call-unmapped',
          what: `${record.client}:${record.operation}: ${String(error)}`,
        });
        state.learn(record);
        continue;
      }
      for (const request of requests) {
        if (!role) {
          findings.push({
            role: roleName,
            kind,
            what: `${record.client}:${record.operation}: no such role in the template`,
            request,
          });
          continue;
        }
        const { decision, fresh } = await decide(role, request);
        if (!fresh) continue;
        if (decision.result === 'Allowed') tally(roleName).allowed += 1;
        else {
          tally(roleName).denied += 1;
          findings.push({
            role: roleName,
            kind,
            what: `${record.service} ${record.client}:${record.operation}${record.input.DryRun === true ? ' (DryRun)' : ''}`,
            request,
            decision,
          });
        }
      }
      state.learn(record);
    }
  };

  // Per log file order is what the tag replay needs; records arrive grouped by file.
  const proved: CallRecord[] = [];
  for (const record of records) {
    if (deployed.has(record.service)) proved.push(record);
    else notProved.set(record.service, (notProved.get(record.service) ?? 0) + 1);
  }
  const accountIds = accountMap(proved);
  // How the stack configures each service: the values the records are bound to (stack-bindings.ts).
  const settings = new Map<string, ServiceSettings | undefined>(
    DEPLOYED_SERVICES.map((service) => {
      const role = taskRole(service);
      return [service, role ? serviceSettings(templates.system, system, role.arn) : undefined];
    }),
  );
  await checkCalls(
    proved.map((record) =>
      bindToStack(bindCleanRoom(rebind(record, accountIds, evidenceBucket), cleanRoom?.values), {
        memberRoleName: (service) => memberRoleOf(service)?.roleName,
        settings: (service) => settings.get(service),
        memberExternalId: memberParameters.ExternalId,
        signingKeyAlias: aliases.has(`alias/${prefix}-evidence-signing`)
          ? `alias/${prefix}-evidence-signing`
          : undefined,
      }),
    ),
    'call-denied',
  );

  const escalationRoles: TemplateRole[] = [
    ...DEPLOYED_SERVICES.flatMap((service) => taskRole(service) ?? []),
    ...memberRoles,
  ];
  for (const role of escalationRoles) {
    const account = memberRoles.includes(role) ? MEMBER_ACCOUNT : HOME_ACCOUNT;
    for (const escalation of escalationPaths(accounts, account)) {
      const decision = await simulate(
        role,
        escalation.request,
        resourcePolicyOf(escalation.request.resource),
      );
      tally(role.roleName).escalationsChecked += 1;
      if (decision.result === 'Allowed' || decision.result === 'Error') {
        tally(role.roleName).escalationsOpen += 1;
        findings.push({
          role: role.roleName,
          kind: 'escalation-open',
          what: escalation.name,
          request: escalation.request,
          decision,
        });
      }
    }
  }

  // No queue takes a message from a principal outside the system, however broad its own policy
  // (issue 18: a forged decision or command needs a sender the queue policy admits). What this counts
  // is the queue policies' Deny for every principal the sender table does not list; a sender the table
  // does list is a decision of that table, proved by the recorded calls and by
  // deploy/test/queue-policies.test.ts, not here. So the coordinator's send to the findings queue (the
  // console's DLQ redrive, issue 19) changes nothing this check sees, and opens nothing: that role may
  // already put commands straight on the workers' queues, past every check a finding goes through.
  const outsider = unrelatedRole(HOME_ACCOUNT, partition);
  for (const queue of queues) {
    const decision = await sendMessage(queue, { role: outsider });
    tally(outsider.roleName).escalationsChecked += 1;
    if (decision.result === 'Allowed' || decision.result === 'Error') {
      tally(outsider.roleName).escalationsOpen += 1;
      findings.push({
        role: outsider.roleName,
        kind: 'queue-open',
        what: `queue ${queue.name} takes messages from a role outside the system (its policy must deny SendMessage to every sender it does not list)`,
        request: { action: 'sqs:SendMessage', resource: queue.arn, resourceAccount: HOME_ACCOUNT },
        decision,
      });
    }
  }

  if (cleanRoom) {
    await checkCalls(cleanRoomCalls(accounts, cleanRoom.values), 'clean-room-denied', (state) =>
      state.set(`arn:${partition}:ec2:${region}::snapshot/snap-0evidence00000`, [
        { Key: 'ir:purpose', Value: 'forensic evidence' },
      ]),
    );
  } else {
    findings.push({
      role: `${prefix}-forensics-task`,
      kind: 'clean-room-denied',
      what: 'the system template has no clean room (synthesise with forensicsAmiId set)',
    });
  }
  return { tallies, findings, recordCount: records.length, notProved };
}

/** The clean room's launch template, subnet, group, image and instance profile in the template. */
function cleanRoomValues(
  template: CfnTemplate,
  resolver: ReturnType<typeof createResolver>,
  region: string,
): { values: CleanRoomValues; instanceRoleArn: string } | undefined {
  const entries = Object.entries(template.Resources);
  const find = (type: string) =>
    entries.find(([id, resource]) => resource.Type === type && id.startsWith('CleanRoom'));
  const launchTemplate = find('AWS::EC2::LaunchTemplate');
  const subnet = find('AWS::EC2::Subnet');
  const group = entries.find(
    ([id, r]) => r.Type === 'AWS::EC2::SecurityGroup' && id.startsWith('CleanRoomAnalysisGroup'),
  );
  const profile = find('AWS::IAM::InstanceProfile');
  const role = entries.find(
    ([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('CleanRoomInstanceRole'),
  );
  if (!launchTemplate || !subnet || !group || !profile || !role) return undefined;
  // The image is the forensics service's IR_FORENSICS_AMI (the launch template names none).
  const imageId =
    /"(ami-[0-9a-f]{8,17})"/.exec(JSON.stringify(template.Resources))?.[1] ?? 'ami-00000000000000000';
  void region;
  return {
    values: {
      launchTemplateId: resolver.ref(launchTemplate[0]),
      subnetId: resolver.ref(subnet[0]),
      securityGroupId: resolver.attributeOf(group[0], 'GroupId'),
      imageId,
      instanceProfileName: resolver.ref(profile[0]),
    },
    instanceRoleArn: resolver.attributeOf(role[0], 'Arn'),
  };
}
