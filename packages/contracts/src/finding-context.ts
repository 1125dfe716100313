import { z } from 'zod';
import { IpAddress, IsoDateTime } from './primitives.js';

/*
 * Finding-level context that is not a resource: who acted (the principal behind an API call or a
 * Kubernetes request), which process ran (Runtime Monitoring), which malware was found.
 */

/** The Kubernetes identity of an EKS audit-log finding (GuardDuty `kubernetesUserDetails`). */
export const KubernetesUser = z.object({
  username: z.string().min(1),
  uid: z.string().optional(),
  groups: z.array(z.string()).default([]),
  /** The role session names behind an IAM-mapped user. */
  sessionNames: z.array(z.string()).default([]),
});
/** @see KubernetesUser */
export type KubernetesUser = z.infer<typeof KubernetesUser>;

/**
 * Who performed the activity: the IAM principal and where its call came from. GuardDuty gives it as
 * `resource.accessKeyDetails` beside the affected resource (an S3 finding names the bucket as the
 * resource and the caller here) plus the `awsApiCallAction` (`remoteIpDetails`, `userAgent`,
 * `remoteAccountDetails`); OCSF as `evidences[].actor.user` and `src_endpoint`. Why finding-level:
 * the actor is not what the finding is about (an S3 finding is about a bucket), yet containment
 * of a leaked key needs exactly this principal. For IAM findings it repeats the `iam-access-key`
 * resource and adds the source of the call.
 */
export const FindingActor = z.object({
  /** GuardDuty's `userType`: `IAMUser`, `AssumedRole`, `Root`, `FederatedUser`, `Role`, ... */
  userType: z.string().optional(),
  userName: z.string().optional(),
  /** Set when the principal is an assumed role (GuardDuty reports the role's name as userName). */
  roleName: z.string().optional(),
  principalId: z.string().optional(),
  accessKeyId: z.string().optional(),
  /** The principal's own account when it is not the finding's (`remoteAccountDetails`). */
  accountId: z.string().optional(),
  sourceIp: IpAddress.optional(),
  sourceCountry: z.string().optional(),
  sourceOrg: z.string().optional(),
  userAgent: z.string().optional(),
  kubernetesUser: KubernetesUser.optional(),
});
/** @see FindingActor */
export type FindingActor = z.infer<typeof FindingActor>;

/** How many ancestors of a process are kept: enough to see the launcher, small enough for a message. */
export const lineageLimit = 5;

/** An ancestor of the process a runtime finding is about. */
export const ProcessAncestor = z.object({
  name: z.string().optional(),
  executablePath: z.string().optional(),
  pid: z.number().int().optional(),
  uuid: z.string().optional(),
  parentUuid: z.string().optional(),
  userId: z.number().int().optional(),
  euid: z.number().int().optional(),
});
/** @see ProcessAncestor */
export type ProcessAncestor = z.infer<typeof ProcessAncestor>;

/**
 * A process as GuardDuty Runtime Monitoring reports it (`ProcessDetails`). `executableSha256` is the
 * agent's hash of the binary: evidence to look up, not proof (TRAPS 12). `lineage` keeps the nearest
 * `lineageLimit` ancestors.
 */
export const RuntimeProcess = z.object({
  name: z.string().optional(),
  executablePath: z.string().optional(),
  executableSha256: z.string().optional(),
  pid: z.number().int().optional(),
  namespacePid: z.number().int().optional(),
  user: z.string().optional(),
  userId: z.number().int().optional(),
  euid: z.number().int().optional(),
  pwd: z.string().optional(),
  startTime: IsoDateTime.optional(),
  uuid: z.string().optional(),
  parentUuid: z.string().optional(),
  lineage: z.array(ProcessAncestor).max(lineageLimit).default([]),
});
/** @see RuntimeProcess */
export type RuntimeProcess = z.infer<typeof RuntimeProcess>;

/**
 * The runtime side of a finding (GuardDuty `service.runtimeDetails`): the process that acted, and
 * for some types the process it acted on (`targetProcess`: injection) or the one that changed a file
 * (`modifyingProcess`). `context` keeps the other scalar facts GuardDuty gives (`scriptPath`,
 * `socketPath`, `ldPreloadValue`, `moduleSha256`, `threatFilePath`, ...) under their own names;
 * lists are joined with commas.
 */
export const FindingRuntime = z.object({
  process: RuntimeProcess.optional(),
  targetProcess: RuntimeProcess.optional(),
  modifyingProcess: RuntimeProcess.optional(),
  context: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
/** @see FindingRuntime */
export type FindingRuntime = z.infer<typeof FindingRuntime>;

/** How many threats of a malware scan are kept (GuardDuty reports at most 32). */
export const malwareThreatLimit = 32;

/** One threat a malware scan found, with the files (or nested archive members) it was found in. */
export const MalwareThreat = z.object({
  name: z.string().min(1),
  source: z.string().optional(),
  hash: z.string().optional(),
  count: z.number().int().optional(),
  itemPaths: z
    .array(z.object({ path: z.string(), hash: z.string().optional() }))
    .max(10)
    .default([]),
});
/** @see MalwareThreat */
export type MalwareThreat = z.infer<typeof MalwareThreat>;

/** What a malware scan found (GuardDuty `service.malwareScanDetails`, OCSF `malware[]`). */
export const FindingMalware = z.object({
  scanId: z.string().optional(),
  scanType: z.string().optional(),
  threats: z.array(MalwareThreat).max(malwareThreatLimit).default([]),
});
/** @see FindingMalware */
export type FindingMalware = z.infer<typeof FindingMalware>;
