import { z } from 'zod';
import { type Finding, FindingNetwork } from '../finding.js';
import { AccountId, AwsRegion, IsoDateTime, toUtcIso } from '../primitives.js';
import { Resource } from '../resource.js';
import { bandFromScore, representativeScore, SeverityBand } from '../severity.js';
import { noResource, parseOrThrow, toFinding } from './shared.js';

/** The `format` marker of our native finding format, version 1. */
export const nativeFindingFormat = 'ir.finding/v1';

/**
 * Our own finding format, for custom detectors and `irctl submit`. Close to `Finding` so that it is
 * easy to write by hand: severity may be a 0–10 score or a band name, times and count have
 * defaults, and resources use the normalised shapes (with empty defaults for tags and lists).
 * Documented in docs/finding-format.md.
 */
export const NativeFinding = z.object({
  format: z.literal(nativeFindingFormat),
  id: z.string().min(1),
  type: z.string().min(1),
  title: z.string().min(1),
  description: z.string().optional(),
  severity: z.union([z.number().min(0).max(10), SeverityBand]),
  accountId: AccountId,
  region: AwsRegion,
  createdAt: IsoDateTime.optional(),
  updatedAt: IsoDateTime.optional(),
  count: z.number().int().min(1).optional(),
  sample: z.boolean().optional(),
  resources: z.array(Resource),
  network: FindingNetwork.optional(),
});
/** @see NativeFinding (the parsed form, defaults filled) */
export type NativeFinding = z.infer<typeof NativeFinding>;
/** What a person or detector writes: defaults may be left out. */
export type NativeFindingInput = z.input<typeof NativeFinding>;

/** Options for parsing native findings. */
export interface NativeParseOptions {
  /** Time used when `createdAt` is left out; injected so tests are deterministic. */
  now?: () => Date;
}

/** Parses one native finding (`format: "ir.finding/v1"`). */
export function parseNativeFinding(input: unknown, options: NativeParseOptions = {}): Finding[] {
  const parsed = parseOrThrow(NativeFinding, input, { prefix: [] });
  if (parsed.resources.length === 0)
    noResource({ path: 'resources', message: 'needs at least one resource' });
  const createdAt = toUtcIso(parsed.createdAt ?? (options.now ?? (() => new Date()))().toISOString());
  const severity =
    typeof parsed.severity === 'number'
      ? { score: parsed.severity, band: bandFromScore(parsed.severity) }
      : { score: representativeScore(parsed.severity), band: parsed.severity, label: parsed.severity };
  return [
    toFinding({
      source: 'native',
      id: parsed.id,
      type: parsed.type,
      title: parsed.title,
      ...(parsed.description !== undefined ? { description: parsed.description } : {}),
      severity,
      accountId: parsed.accountId,
      region: parsed.region,
      createdAt,
      updatedAt: parsed.updatedAt ? toUtcIso(parsed.updatedAt) : createdAt,
      count: parsed.count ?? 1,
      sample: parsed.sample ?? false,
      resources: parsed.resources,
      ...(parsed.network ? { network: parsed.network } : {}),
      raw: input,
    }),
  ];
}
