import { type EC2Client, type Instance, RunInstancesCommand, type Tag } from '@aws-sdk/client-ec2';
import { errorMessage, errorName, type StepOutcome, succeeded } from '@ir/runtime';
import { type LaunchSettings, launchRequest } from './analysis-instance.js';
import { plannedCommands } from './investigate.js';
import type { ChosenSnapshot, SnapshotPlace } from './snapshot-selection.js';

/**
 * The clean room's dry run: only reads, plus EC2's own dry run of the launch (`DryRunOperation` means
 * it would be allowed); lists the launch, the snapshots volumes would come from and the commands. The
 * dry run sends the launch's own request ({@link launchRequest}: template, profile, interface, tags),
 * without the client token: a dry run creates nothing to be idempotent about.
 */
export async function cleanRoomDryRun(
  ec2: EC2Client,
  suspectInstanceId: string,
  plan: {
    instance: Instance | undefined;
    /** The snapshots volumes would come from, or why there are none yet. */
    snapshots: readonly ChosenSnapshot[] | string;
    launch: LaunchSettings;
    /** The tags the launch would put on the instance and its volumes. */
    tags: readonly Tag[];
    knownBad: ReadonlyMap<string, string | null>;
    timelineDays: number;
    place: SnapshotPlace;
  },
): Promise<StepOutcome> {
  let launchAllowed: boolean | string = 'not checked: the analysis instance exists';
  if (!plan.instance) {
    try {
      await ec2.send(new RunInstancesCommand({ ...launchRequest(plan.launch, plan.tags), DryRun: true }));
      launchAllowed = true;
    } catch (error: unknown) {
      launchAllowed =
        errorName(error) === 'DryRunOperation' ? true : `${errorName(error)}: ${errorMessage(error)}`;
    }
  }
  const { mount, questions } = plannedCommands({
    volumes: [],
    knownBad: plan.knownBad,
    timelineDays: plan.timelineDays,
  });
  return succeeded({
    dryRun: true,
    suspectInstanceId,
    place: plan.place,
    wouldLaunch: plan.instance ? null : { ...plan.launch, launchAllowed },
    existingInstance: plan.instance?.InstanceId ?? null,
    wouldCreateVolumesFrom:
      typeof plan.snapshots === 'string' ? plan.snapshots : plan.snapshots.map((s) => s.snapshotId),
    wouldRun: [mount, ...questions].map((c) => ({ name: c.name, description: c.description })),
  });
}
