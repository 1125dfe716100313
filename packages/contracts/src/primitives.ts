import { z } from 'zod';

/** A 12-digit AWS account id. */
export const AccountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
/** @see AccountId */
export type AccountId = z.infer<typeof AccountId>;

/** An AWS region name such as `eu-west-1` or `us-gov-west-1`. */
export const AwsRegion = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region such as eu-west-1');
/** @see AwsRegion */
export type AwsRegion = z.infer<typeof AwsRegion>;

/** An ISO 8601 timestamp with a zone (`Z` or an offset). */
export const IsoDateTime = z.iso.datetime({ offset: true });
/** @see IsoDateTime */
export type IsoDateTime = z.infer<typeof IsoDateTime>;

/** A TCP/UDP port number. */
export const Port = z.number().int().min(0).max(65535);
/** @see Port */
export type Port = z.infer<typeof Port>;

/** An IPv4 or IPv6 address. */
export const IpAddress = z.union([z.ipv4(), z.ipv6()]);
/** @see IpAddress */
export type IpAddress = z.infer<typeof IpAddress>;

/**
 * Rewrites an ISO timestamp in UTC with milliseconds (`2024-01-10T12:00:00.000Z`).
 * Why: sources differ in precision and offset; one form makes "is this update newer" a string compare.
 */
export function toUtcIso(value: string): string {
  return new Date(value).toISOString();
}
