import {
  CreateTagsCommand,
  DeleteTagsCommand,
  EC2Client,
  type Instance,
  ModifyInstanceMetadataOptionsCommand,
} from '@aws-sdk/client-ec2';
import { type StepHandler, succeeded } from '@ir/runtime';
import { z } from 'zod';
import { sendEc2Write } from '../../aws/ec2-dry-run.js';
import { jsonFromTags, jsonTagKeys, jsonToTags } from '../../aws/json-tags.js';
import { type ReadBack, readBackUntilVerified } from '../../aws/read-back.js';
import { tagList, tagMap } from '../../aws/tags.js';
import {
  ContainmentRefusedError,
  IsolatorError,
  UnexpectedAwsResponseError,
  VerificationFailedError,
} from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { describeLiveInstance } from './live-instance.js';

/**
 * Tags `contain.ec2-metadata` writes on the instance before it changes anything. Why: a repeated
 * command (a lost answer, a retry, TRAPS 24) finds the IMDS already cut and must still report the
 * options from before the *first* run, or its rollback would "restore" the cut state.
 */
export const MetadataTag = {
  /** The incident whose containment cut the instance's IMDS. */
  cutBy: 'ir:imds-cut-by',
  /** The pre-state JSON, `ir:imds-pre-state-0…n` (one tag in practice: it is under 256 characters). */
  preStatePrefix: 'ir:imds-pre-state-',
} as const;

const Toggle = z.enum(['enabled', 'disabled']);

/**
 * What `contain.ec2-metadata` replaces and `rollback.ec2-metadata` puts back: the instance's
 * `MetadataOptions`. The IPv6 endpoint and metadata tags are `null` where EC2 does not report them
 * (left alone on rollback).
 */
export const MetadataPreState = z.object({
  instanceId: z.string().min(1),
  httpEndpoint: Toggle,
  httpTokens: z.enum(['optional', 'required']),
  httpPutResponseHopLimit: z.number().int().min(1).max(64),
  httpProtocolIpv6: Toggle.nullable(),
  instanceMetadataTags: Toggle.nullable(),
});
/** @see MetadataPreState */
export type MetadataPreState = z.infer<typeof MetadataPreState>;

/** The options containment sets: no endpoint, and IMDSv2 tokens if it is ever turned back on. */
const CUT = { httpEndpoint: 'disabled', httpTokens: 'required' } as const;

type MetadataOptions = Omit<MetadataPreState, 'instanceId'>;

/** The instance; a terminated or shutting-down one is gone. */
const describeInstanceOrGone = (ec2: EC2Client, instanceId: string) =>
  describeLiveInstance(ec2, instanceId, ['terminated', 'shutting-down']);

const FIT = { retryable: false, reason: 'pre-state-too-large' } as const;

/** What EC2 reports: the options as the pre-state records them, and whether they are applied yet. */
interface ObservedOptions {
  readonly options: MetadataOptions;
  /** `applied`, or `pending` until the instance serves them. */
  readonly state: string | null;
}

/** The instance's `MetadataOptions`; an incomplete answer is retried, never guessed at. */
function optionsOf(instance: Instance): ObservedOptions {
  const options = instance.MetadataOptions;
  const parsed = MetadataPreState.omit({ instanceId: true }).safeParse({
    httpEndpoint: options?.HttpEndpoint,
    httpTokens: options?.HttpTokens,
    httpPutResponseHopLimit: options?.HttpPutResponseHopLimit,
    httpProtocolIpv6: options?.HttpProtocolIpv6 ?? null,
    instanceMetadataTags: options?.InstanceMetadataTags ?? null,
  });
  if (!parsed.success) {
    throw new UnexpectedAwsResponseError(
      `instance ${instance.InstanceId} has no complete MetadataOptions (${JSON.stringify(options ?? null)})`,
    );
  }
  return { options: parsed.data, state: options?.State ?? null };
}

/**
 * Sets all of `options` (or checks them with `DryRun`); a `null` field is left as it is. Why every
 * field, not only the changed ones: the call then says exactly what the instance ends with, whatever
 * an endpoint does with the fields it is not sent (the emulator resets them to defaults).
 */
function modifyOptions(ec2: EC2Client, instanceId: string, options: MetadataOptions, dryRun: boolean) {
  return sendEc2Write(
    (DryRun) =>
      ec2.send(
        new ModifyInstanceMetadataOptionsCommand({
          InstanceId: instanceId,
          HttpEndpoint: options.httpEndpoint,
          HttpTokens: options.httpTokens,
          HttpPutResponseHopLimit: options.httpPutResponseHopLimit,
          ...(options.httpProtocolIpv6 ? { HttpProtocolIpv6: options.httpProtocolIpv6 } : {}),
          ...(options.instanceMetadataTags ? { InstanceMetadataTags: options.instanceMetadataTags } : {}),
          DryRun,
        }),
      ),
    dryRun,
  );
}

/** The fields of `wanted` (non-null) that the instance does not show, one problem each. */
function differences(observed: ObservedOptions, wanted: Partial<MetadataOptions>): string[] {
  const problems = Object.entries(wanted)
    .filter(([, value]) => value !== null && value !== undefined)
    .filter(([key, value]) => observed.options[key as keyof MetadataOptions] !== value)
    .map(([key, value]) => `${key} is ${observed.options[key as keyof MetadataOptions]}, not ${value}`);
  // `pending` means EC2 has not applied the options yet: the instance may still serve the old ones.
  if (observed.state !== null && observed.state !== 'applied') problems.push(`options are ${observed.state}`);
  return problems;
}

/** Reads the options back until they show `wanted` and are applied (EC2 applies them asynchronously). */
function readBack(
  ec2: EC2Client,
  instanceId: string,
  wanted: Partial<MetadataOptions>,
  signal: AbortSignal,
): Promise<ReadBack<ObservedOptions>> {
  return readBackUntilVerified(
    async () => {
      const observed = optionsOf(await describeInstanceOrGone(ec2, instanceId));
      return { observed, problems: differences(observed, wanted) };
    },
    { signal, attempts: 6 },
  );
}

/**
 * `contain.ec2-metadata`: disables the instance metadata endpoint and requires IMDSv2 tokens, so
 * stolen-credential refreshes and IMDS abuse (SSRF, DNS rebinding) stop, then reads the options
 * back. The previous options are tagged on the instance first, so a repeat reports the options from
 * before the first run and changes nothing more. An instance whose IMDS another incident cut is
 * refused: its record belongs to that incident's rollback.
 */
export function containEc2Metadata(): StepHandler<'contain.ec2-metadata'> {
  return async ({ instanceId }, context) => {
    const ec2 = await context.client(EC2Client);
    const instance = await describeInstanceOrGone(ec2, instanceId);
    const tags = tagMap(instance.Tags);
    const owner = tags[MetadataTag.cutBy];
    if (owner && owner !== context.incidentId) {
      throw new ContainmentRefusedError(
        `the metadata service of instance ${instanceId} was cut under incident ${owner}; roll that back or handle this incident there (a person must decide)`,
        { instanceId, owner },
      );
    }
    const where = `instance ${instanceId}`;
    const recorded = owner
      ? jsonFromTags(MetadataTag.preStatePrefix, tags, MetadataPreState, where)
      : undefined;
    const current = optionsOf(instance).options;
    const preState: MetadataPreState = recorded ?? { instanceId, ...current };
    const pending = current.httpEndpoint !== CUT.httpEndpoint || current.httpTokens !== CUT.httpTokens;
    const wanted: MetadataOptions = { ...current, ...CUT };
    const changes = pending
      ? [
          `tag ${instanceId} with ${MetadataTag.cutBy}=${context.incidentId} and its metadata options`,
          `set HttpEndpoint=${CUT.httpEndpoint} (was ${current.httpEndpoint}) and HttpTokens=${CUT.httpTokens} (was ${current.httpTokens}) on ${instanceId}`,
        ]
      : [];

    if (context.dryRun) {
      if (pending) await modifyOptions(ec2, instanceId, wanted, true);
      return succeeded(
        { instanceId, alreadyCut: !pending, dryRun: true, wouldChange: changes },
        { preState },
      );
    }

    if (pending && !recorded) {
      const record = jsonToTags(MetadataTag.preStatePrefix, preState);
      // Five short options and an id: always one tag, so this only guards a future schema change.
      if (!record) throw new IsolatorError(`the metadata options of ${where} do not fit in tags`, FIT);
      await ec2.send(
        new CreateTagsCommand({
          Resources: [instanceId],
          Tags: tagList({ [MetadataTag.cutBy]: context.incidentId, ...record }),
        }),
      );
    }
    if (pending) await modifyOptions(ec2, instanceId, wanted, false);

    const verified = await readBack(ec2, instanceId, CUT, context.signal);
    if (verified.problems.length > 0) {
      throw new VerificationFailedError(`metadata cut-off of ${instanceId}`, verified.problems, {
        instanceId,
      });
    }
    context.logger.info({ instanceId, alreadyCut: !pending }, 'instance_metadata_disabled');
    return succeeded(
      { instanceId, alreadyCut: !pending, changes },
      { preState, verified: { metadataOptions: verified.observed } },
    );
  };
}

/**
 * `rollback.ec2-metadata`: puts back exactly the recorded `MetadataOptions`, reads them back, then
 * removes the record tags (only this incident's). Already restored options are not written again, so
 * a repeated rollback converges too.
 */
export function rollbackEc2Metadata(): StepHandler<'rollback.ec2-metadata'> {
  return async (params, context) => {
    const { instanceId, ...original } = parsePreState(
      MetadataPreState,
      params.preState,
      'rollback.ec2-metadata',
    );
    const ec2 = await context.client(EC2Client);
    const instance = await describeInstanceOrGone(ec2, instanceId);
    const tags = tagMap(instance.Tags);
    const current = optionsOf(instance);
    const pending = differences({ ...current, state: null }, original).length > 0;
    const ours = tags[MetadataTag.cutBy] === context.incidentId;
    const tagKeys = ours ? [MetadataTag.cutBy, ...jsonTagKeys(MetadataTag.preStatePrefix, tags)] : [];
    const changes = [
      ...(pending ? [`restore the metadata options of ${instanceId} to ${JSON.stringify(original)}`] : []),
      ...(tagKeys.length > 0 ? [`remove tags ${tagKeys.join(', ')}`] : []),
    ];

    if (context.dryRun) {
      if (pending) await modifyOptions(ec2, instanceId, original, true);
      return succeeded({ instanceId, dryRun: true, wouldChange: changes });
    }
    if (pending) await modifyOptions(ec2, instanceId, original, false);

    const verified = await readBack(ec2, instanceId, original, context.signal);
    if (verified.problems.length > 0) {
      const what = `restore of the metadata options of ${instanceId}`;
      throw new VerificationFailedError(what, verified.problems, { instanceId });
    }
    if (tagKeys.length > 0) {
      await ec2.send(
        new DeleteTagsCommand({ Resources: [instanceId], Tags: tagKeys.map((Key) => ({ Key })) }),
      );
    }
    context.logger.info({ instanceId }, 'instance_metadata_restored');
    return succeeded({ instanceId, changes }, { verified: { metadataOptions: verified.observed } });
  };
}
