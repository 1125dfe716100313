import type { z } from 'zod';
import { IsoDateTime, toUtcIso } from '../primitives.js';
import { type ContractIssue, FindingParseError, issuesFromZod } from '../errors.js';
import { Finding, type FindingNetwork, type RemoteIp } from '../finding.js';

/** How a parser names fields of its input in errors: a path prefix and a key spelling. */
export interface PathStyle {
  prefix: ReadonlyArray<PropertyKey>;
  rename?: (key: string) => string;
}

/** Parses `value` with `schema`, or throws `FindingParseError('schema')` naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, style: PathStyle): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new FindingParseError('schema', issuesFromZod(result.error, style.prefix, style.rename), {
    cause: result.error,
  });
}

/** Throws `FindingParseError('schema')` for the named field (a check zod could not express). */
export function invalid(issue: ContractIssue): never {
  throw new FindingParseError('schema', [issue]);
}

/** Throws `FindingParseError('no-resource')` for the named field. */
export function noResource(issue: ContractIssue): never {
  throw new FindingParseError('no-resource', [issue]);
}

/**
 * Checks the normalised result against `Finding`. Why: a parser bug must surface as a rejected
 * finding with a reason, never as a half-formed finding downstream.
 */
export function toFinding(candidate: z.input<typeof Finding>): Finding {
  return parseOrThrow(Finding, candidate, { prefix: ['(normalised)'] });
}

/** `[{key, value}]` tag lists (any key casing) as a map. */
export function tagsFromList(list: ReadonlyArray<{ key: string; value?: string | undefined }> | undefined) {
  return Object.fromEntries((list ?? []).map((tag) => [tag.key, tag.value ?? '']));
}

/** Drops undefined and repeated values, keeping first-seen order. */
export function unique<T>(values: ReadonlyArray<T | undefined>): T[] {
  return [...new Set(values.filter((value): value is T => value !== undefined))];
}

/** Builds the network part of a finding, or `undefined` when the source said nothing about it. */
export function networkOrUndefined(network: {
  remoteIps: RemoteIp[];
  localPorts?: number[] | undefined;
  domain?: string | undefined;
  direction?: FindingNetwork['direction'];
  protocol?: string | undefined;
}): FindingNetwork | undefined {
  const remoteIps = dedupeRemoteIps(network.remoteIps);
  const localPorts = unique(network.localPorts ?? []);
  if (remoteIps.length === 0 && localPorts.length === 0 && !network.domain) return undefined;
  return {
    remoteIps,
    ...(localPorts.length > 0 ? { localPorts } : {}),
    ...(network.domain ? { domain: network.domain } : {}),
    ...(network.direction ? { direction: network.direction } : {}),
    ...(network.protocol ? { protocol: network.protocol } : {}),
  };
}

function dedupeRemoteIps(remoteIps: RemoteIp[]): RemoteIp[] {
  const seen = new Map<string, RemoteIp>();
  for (const remote of remoteIps) {
    const key = `${remote.ip}|${remote.port ?? ''}`;
    if (!seen.has(key)) seen.set(key, remote);
  }
  return [...seen.values()];
}

/** Copies only the defined entries of `fields`, so optional keys are absent rather than `undefined`. */
export function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** True for a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `schema`, also accepting `null` (read as absent). Why: GuardDuty's API and EventBridge send `null`
 * for many fields they have no value for (`kubernetesWorkloadDetails: null`, `name: null`), and a
 * finding must not be rejected for saying "none" that way.
 */
export function orNull<S extends z.ZodType>(schema: S) {
  return schema.nullish().transform((value): z.output<S> | undefined => value ?? undefined);
}

/**
 * A timestamp as ISO 8601 UTC: GuardDuty's EventBridge events send ISO strings, its API epoch
 * seconds (`1728014790.377`), OCSF epoch milliseconds (`time`). Returns `undefined` for anything
 * else. `unit` says how to read a number; a number too large to be seconds (past 1e11, the year
 * 5138) is read as milliseconds whatever `unit` says, so a source that changes unit cannot produce
 * a date that fails the `Finding` schema.
 */
export function isoTime(value: unknown, unit: 'seconds' | 'milliseconds'): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    const millis = unit === 'seconds' && value < 1e11 ? value * 1000 : value;
    const date = new Date(millis);
    return Number.isNaN(date.getTime()) || date.getUTCFullYear() > 9999 ? undefined : date.toISOString();
  }
  if (typeof value === 'string' && IsoDateTime.safeParse(value).success) return toUtcIso(value);
  return undefined;
}

/** The non-empty strings of `values`, first-seen order, without repeats. */
export function strings(values: ReadonlyArray<unknown> | undefined): string[] {
  return unique(
    (values ?? []).map((value) => (typeof value === 'string' && value !== '' ? value : undefined)),
  );
}
