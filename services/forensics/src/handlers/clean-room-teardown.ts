import { EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { errorMessage, errorName, type StepHandler, succeeded } from '@ir/runtime';
import { deferWhileNotReady } from '../clean-room/defer.js';
import { cleanRoomPlace } from '../clean-room/place.js';
import { tearDown, teardownPlan } from '../clean-room/teardown.js';
import type { ActionDeps } from './types.js';

/**
 * evidence.clean-room-teardown: terminates the clean room's analysis instance and deletes the volumes
 * it made from the snapshots, found by tags in the place the clean room ran. Snapshots and stored
 * evidence are never touched. Idempotent: a rerun after a full teardown removes nothing and succeeds.
 */
export function cleanRoomTeardown(deps: ActionDeps): StepHandler<'evidence.clean-room-teardown'> {
  const once = teardownOnce(deps);
  return (params, context) => deferWhileNotReady(deps, context, () => once(params, context));
}

/** One look: terminates, then deletes once detached; `CleanRoomNotReadyError` while it must wait. */
function teardownOnce(deps: ActionDeps): StepHandler<'evidence.clean-room-teardown'> {
  return async (params, context) => {
    const { incidentId } = context;
    const stepId = params.cleanRoomStepId;
    const place = cleanRoomPlace(deps.config, context.target);
    const ec2 = await deps.aws.client(EC2Client, {
      accountId: place.accountId,
      region: place.region,
      incidentId,
    });
    const plan = await teardownPlan(ec2, incidentId, stepId);
    const instanceIds = plan.instances.map((i) => i.InstanceId as string);
    const volumeIds = plan.volumes.map((v) => v.VolumeId as string);
    if (context.dryRun) {
      let terminateAllowed: boolean | string = instanceIds.length === 0 ? 'nothing to terminate' : true;
      if (instanceIds.length > 0) {
        try {
          await ec2.send(new TerminateInstancesCommand({ InstanceIds: instanceIds, DryRun: true }));
        } catch (error: unknown) {
          if (errorName(error) !== 'DryRunOperation')
            terminateAllowed = `${errorName(error)}: ${errorMessage(error)}`;
        }
      }
      return succeeded({
        dryRun: true,
        place,
        wouldTerminate: instanceIds,
        wouldDeleteVolumes: volumeIds,
        terminateAllowed,
      });
    }
    const record = await tearDown(ec2, plan);
    if (record.terminated.length > 0) {
      deps.metrics.cleanRoomResourcesTotal.inc(
        { kind: 'instance', operation: 'deleted' },
        record.terminated.length,
      );
    }
    if (record.deletedVolumes.length > 0) {
      deps.metrics.cleanRoomResourcesTotal.inc(
        { kind: 'volume', operation: 'deleted' },
        record.deletedVolumes.length,
      );
    }
    context.logger.info(
      { terminated: record.terminated, deletedVolumes: record.deletedVolumes },
      'clean_room_torn_down',
    );
    return succeeded(
      {
        place,
        cleanRoomStepId: stepId ?? null,
        terminated: record.terminated,
        deletedVolumes: record.deletedVolumes,
        kept: 'evidence snapshots and every stored artifact',
      },
      { verified: record.readBack },
    );
  };
}
