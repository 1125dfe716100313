/** One AWS call as the recording proxy forwarded it (the fields this count reads). */
export interface ForwardedCall {
  readonly operation: string;
  readonly status: number;
  readonly body: Buffer | string;
}

/** An instance as read back from AWS after the run: its ENIs and the groups each carries. */
export interface InstanceReadBack {
  readonly instanceId: string;
  readonly interfaces: ReadonlyArray<{
    readonly networkInterfaceId: string;
    readonly groupIds: readonly string[];
  }>;
}

/** What reached AWS for one instance, and what AWS holds now. */
export interface InstanceContainment {
  readonly instanceId: string;
  /** Executions of the containment step: its final `ir:status=contained` tag write, once per run of it. */
  readonly executions: number;
  /** ModifyNetworkInterfaceAttribute calls that moved one of its ENIs into an isolation group. */
  readonly isolationMoves: number;
  /** Every ENI carries exactly one group, an isolation group. */
  readonly isolated: boolean;
  /** Extra times the containment acted on this instance (0 when it acted once). */
  readonly duplicates: number;
}

/** The whole run's containments, counted from the AWS calls that reached the emulator. */
export interface ContainmentCount {
  readonly instances: number;
  readonly isolated: number;
  readonly executions: number;
  readonly isolationMoves: number;
  readonly duplicates: number;
  /** Instances with a duplicate, for the report (at most 10). */
  readonly duplicated: readonly InstanceContainment[];
}

const CONTAINED_TAG = { key: 'ir:status', value: 'contained' } as const;

/** The EC2 query parameters of a call (`Action=…&NetworkInterfaceId=…&SecurityGroupId.1=…`). */
function paramsOf(call: ForwardedCall): URLSearchParams {
  return new URLSearchParams(typeof call.body === 'string' ? call.body : call.body.toString('utf8'));
}

/** Values of a numbered list parameter (`SecurityGroupId.1`, `SecurityGroupId.2`, …). */
function listOf(params: URLSearchParams, name: string): string[] {
  const values: string[] = [];
  for (let index = 1; params.has(`${name}.${index}`); index++)
    values.push(params.get(`${name}.${index}`) ?? '');
  return values;
}

/** Whether a CreateTags call writes `ir:status=contained`, and on which resources. */
function containedTagTargets(params: URLSearchParams): string[] {
  for (let index = 1; params.has(`Tag.${index}.Key`); index++) {
    if (
      params.get(`Tag.${index}.Key`) === CONTAINED_TAG.key &&
      params.get(`Tag.${index}.Value`) === CONTAINED_TAG.value
    ) {
      return listOf(params, 'ResourceId');
    }
  }
  return [];
}

/**
 * Duplicate containments, from the calls that reached AWS. What a duplicate is: the containment step
 * acting on an instance more than once, e.g. two isolator replicas both taking the same step. It
 * shows in AWS two ways. Each execution ends with one `ir:status=contained` tag write on the
 * instance, a repeat included (a repeat finds the ENIs isolated and moves none, so the moves alone
 * would miss it). Two executions racing each move every ENI (both read it as not yet isolated), so
 * an ENI moved into the isolation group twice is one extra run too. Per instance, duplicates =
 * the larger of (tag writes − 1) and, over its ENIs, (isolation moves − 1); never double counted.
 * Only successful, non-dry-run calls count: a failed or dry-run write changed nothing.
 */
export function countContainments(
  calls: readonly ForwardedCall[],
  instances: readonly InstanceReadBack[],
  isolationGroupIds: ReadonlySet<string>,
): ContainmentCount {
  const tagWrites = new Map<string, number>();
  const movesByEni = new Map<string, number>();
  for (const call of calls) {
    if (call.status < 200 || call.status >= 300) continue;
    if (call.operation !== 'CreateTags' && call.operation !== 'ModifyNetworkInterfaceAttribute') continue;
    const params = paramsOf(call);
    if (params.get('DryRun') === 'true') continue;
    if (call.operation === 'CreateTags') {
      for (const resource of containedTagTargets(params)) {
        tagWrites.set(resource, (tagWrites.get(resource) ?? 0) + 1);
      }
      continue;
    }
    const groups = listOf(params, 'SecurityGroupId');
    const eni = params.get('NetworkInterfaceId');
    if (eni && groups.length === 1 && isolationGroupIds.has(groups[0] ?? '')) {
      movesByEni.set(eni, (movesByEni.get(eni) ?? 0) + 1);
    }
  }
  const perInstance = instances.map((instance): InstanceContainment => {
    const moves = instance.interfaces.map((eni) => movesByEni.get(eni.networkInterfaceId) ?? 0);
    const executions = tagWrites.get(instance.instanceId) ?? 0;
    return {
      instanceId: instance.instanceId,
      executions,
      isolationMoves: moves.reduce((total, count) => total + count, 0),
      isolated:
        instance.interfaces.length > 0 &&
        instance.interfaces.every(
          (eni) => eni.groupIds.length === 1 && isolationGroupIds.has(eni.groupIds[0] ?? ''),
        ),
      duplicates: Math.max(0, executions - 1, ...moves.map((count) => count - 1)),
    };
  });
  const total = (pick: (entry: InstanceContainment) => number) =>
    perInstance.reduce((sum, entry) => sum + pick(entry), 0);
  return {
    instances: perInstance.length,
    isolated: perInstance.filter((entry) => entry.isolated).length,
    executions: total((entry) => entry.executions),
    isolationMoves: total((entry) => entry.isolationMoves),
    duplicates: total((entry) => entry.duplicates),
    duplicated: perInstance.filter((entry) => entry.duplicates > 0).slice(0, 10),
  };
}
