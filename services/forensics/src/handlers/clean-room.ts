import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { errorMessage, errorName, type StepContext, type StepHandler, succeeded } from '@ir/runtime';
import {
  assertAnalysisInstance,
  assertRunning,
  findAnalysisInstances,
  launchAnalysisInstance,
} from '../clean-room/analysis-instance.js';
import { investigate } from '../clean-room/investigate.js';
import { deferWhileNotReady } from '../clean-room/defer.js';
import { cleanRoomDryRun } from '../clean-room/dry-run.js';
import { cleanRoomPlace, launchSettingsOf } from '../clean-room/place.js';
import { ssmRegistration } from '../clean-room/ssm-registration.js';
import { findEvidenceSnapshots } from '../clean-room/snapshot-selection.js';
import { cleanRoomTags } from '../clean-room/tags.js';
import {
  assertVolumeForEach,
  attachVolumes,
  ensureVolumes,
  findCleanRoomVolumes,
  readBackVolumes,
} from '../clean-room/volumes.js';
import { CleanRoomNotReadyError, StepRefusedError } from '../errors.js';
import { CommandOutcome } from '../volatile/command-outcome.js';
import { sealIncident } from './seal.js';
import type { ActionDeps } from './types.js';

const SUMMARY = 'clean-room/summary.json';

/**
 * evidence.clean-room: volumes made from the incident's evidence snapshots are attached to a fresh
 * analysis instance in the forensics VPC (never to the suspect), examined over SSM (timeline, hashes
 * against known-bad digests, logs, persistence), every output stored as evidence with a summary, and
 * sealed into a manifest. Each delivery goes as far as AWS allows and waits by putting the command
 * back on the queue (defer.ts: snapshot pending, instance starting, volume creating, agent not
 * registered); everything it creates is tagged, so a rerun reuses it and the teardown finds it. A rerun after the summary is
 * stored returns it and runs nothing again.
 */
export function cleanRoom(deps: ActionDeps): StepHandler<'evidence.clean-room'> {
  const investigateOnce = cleanRoomOnce(deps);
  return (params, context) => deferWhileNotReady(deps, context, () => investigateOnce(params, context));
}

/** One look: as far as AWS allows now; `CleanRoomNotReadyError` when it must wait. */
function cleanRoomOnce(deps: ActionDeps): StepHandler<'evidence.clean-room'> {
  return async (params, context) => {
    const { incidentId, stepId } = context;
    const done = await deps.store.read({ incidentId, stepId, name: SUMMARY });
    if (done)
      return succeeded({ ...(JSON.parse(done.body) as Record<string, unknown>), summary: done.artifact });

    const launch = launchSettingsOf(deps.config);
    if (!launch) {
      throw new StepRefusedError(
        'the clean room is not configured: set IR_FORENSICS_AMI, IR_FORENSICS_SUBNET and IR_FORENSICS_SECURITY_GROUP (or IR_FORENSICS_LAUNCH_TEMPLATE) on the forensics service',
        'clean-room-not-configured',
      );
    }
    const suspect = params.instanceId;
    const place = cleanRoomPlace(deps.config, context.target);
    const where = { accountId: place.accountId, region: place.region, incidentId };
    const ec2 = await deps.aws.client(EC2Client, where);
    const snapshots = await findEvidenceSnapshots(ec2, incidentId, suspect, place).catch((error: unknown) => {
      // A dry run took no snapshots: report what is missing instead of failing or waiting.
      if (
        context.dryRun &&
        (errorName(error) === 'StepRefusedError' || errorName(error) === 'CleanRoomNotReadyError')
      )
        return errorMessage(error);
      throw error;
    });
    const knownBad = new Map(deps.knownBad ?? []);
    for (const digest of params.knownBadHashes ?? []) {
      if (!knownBad.has(digest.toLowerCase())) knownBad.set(digest.toLowerCase(), null);
    }
    const timelineDays = params.timelineDays ?? deps.config.IR_CLEAN_ROOM_TIMELINE_DAYS;
    const tags = cleanRoomTags(incidentId, stepId, suspect);

    let [instance] = await findAnalysisInstances(ec2, incidentId, stepId);
    if (context.dryRun) {
      return cleanRoomDryRun(ec2, suspect, {
        instance,
        snapshots,
        launch,
        tags,
        knownBad,
        timelineDays,
        place,
      });
    }
    if (typeof snapshots === 'string') throw new Error(snapshots);
    if (!instance) {
      instance = await launchAnalysisInstance(ec2, launch, tags, `${incidentId}/${stepId}`);
      deps.metrics.cleanRoomResourcesTotal.inc({ kind: 'instance', operation: 'created' });
      context.logger.info(
        { analysisInstanceId: instance.InstanceId, suspect },
        'clean_room_instance_launched',
      );
    }
    instance = await readBackInstance(ec2, instance.InstanceId as string);
    const expectation = {
      incidentId,
      stepId,
      suspectInstanceId: suspect,
      subnetId: launch.subnetId,
      securityGroupId: launch.securityGroupId,
    };
    assertAnalysisInstance(instance, expectation);
    assertRunning(instance);
    const analysisId = instance.InstanceId as string;
    const zone = instance.Placement?.AvailabilityZone;
    if (!zone) throw new Error(`analysis instance ${analysisId} has no availability zone`);

    const existing = await findCleanRoomVolumes(ec2, incidentId, stepId);
    const { created } = await ensureVolumes(ec2, snapshots, zone, tags, existing);
    if (created.length > 0) {
      deps.metrics.cleanRoomResourcesTotal.inc({ kind: 'volume', operation: 'created' }, created.length);
      context.logger.info({ volumes: created, analysisInstanceId: analysisId }, 'clean_room_volumes_created');
    }
    const volumes = await findCleanRoomVolumes(ec2, incidentId, stepId);
    assertVolumeForEach(snapshots, volumes);
    const attached = await attachVolumes(ec2, instance, volumes, suspect);
    if (attached.length > 0) {
      context.logger.info(
        { volumes: attached, analysisInstanceId: analysisId },
        'clean_room_volumes_attached',
      );
    }
    const records = await readBackVolumes(
      ec2,
      volumes.map((v) => v.VolumeId as string),
      analysisId,
    );

    const ssm = await deps.aws.client(SSMClient, where);
    const registration = await ssmRegistration(deps, ssm, analysisId);
    const { commands, findings } = await investigate(deps, {
      ssm,
      instanceId: analysisId,
      volumes: records,
      knownBad,
      timelineDays,
      incidentId,
      stepId,
      action: context.action,
      sourceAccount: context.target.accountId,
      signal: context.signal,
    });
    const summary = {
      suspectInstanceId: suspect,
      analysisInstanceId: analysisId,
      place: { accountId: place.accountId, region: place.region, forensicsAccount: place.inForensicsAccount },
      investigatedAt: deps.now().toISOString(),
      snapshots,
      volumes: records,
      ssm: registration,
      knownBadDigests: knownBad.size,
      timelineDays,
      commands,
      findings: {
        ...findings,
        timeline: { ...findings.timeline, entries: findings.timeline.entries.slice(0, 50) },
      },
    };
    const evidenceOf = {
      incidentId,
      stepId,
      action: context.action,
      sourceAccount: context.target.accountId,
    };
    const body = JSON.stringify(summary, null, 2);
    const stored = await deps.store.put({
      ...evidenceOf,
      name: SUMMARY,
      contentType: 'application/json',
      body,
    });
    const sealed = await sealIncident(deps, {
      incidentId,
      stepId,
      action: context.action,
      dryRun: false,
      logger: context.logger,
    });
    logOutcome(context, summary);
    if (!commands.some((c) => c.outcome === CommandOutcome.success)) {
      throw new StepRefusedError(
        `no clean-room command succeeded on ${analysisId}: ${commands.map((c) => `${c.name} ${c.outcome}`).join(', ')}; the outputs are stored and the instance is left for a person`,
        'clean-room-commands-failed',
        { context: { summary: stored.key } },
      );
    }
    return succeeded(
      { ...summary, summary: stored, manifest: sealed.result.manifest },
      {
        verified: {
          volumesReadBack: records.map((r) => ({
            volumeId: r.volumeId,
            snapshotId: r.snapshotId,
            attachedTo: r.attachedTo,
          })),
          artifacts: commands.length + 1,
        },
      },
    );
  };
}

/** The instance as EC2 describes it; just after RunInstances it may not be visible yet (retried). */
async function readBackInstance(ec2: EC2Client, instanceId: string): Promise<Instance> {
  try {
    const output = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = output.Reservations?.[0]?.Instances?.[0];
    if (instance) return instance;
  } catch (error: unknown) {
    if (errorName(error) !== 'InvalidInstanceID.NotFound') throw error;
  }
  throw new CleanRoomNotReadyError(`waiting for analysis instance ${instanceId} to be visible`);
}

function logOutcome(
  context: Pick<StepContext, 'logger'>,
  summary: { findings: { knownBadMatches: unknown[]; persistence: unknown[] }; analysisInstanceId: string },
) {
  context.logger.info(
    {
      analysisInstanceId: summary.analysisInstanceId,
      knownBadMatches: summary.findings.knownBadMatches.length,
      persistenceEntries: summary.findings.persistence.length,
    },
    'clean_room_investigated',
  );
}
