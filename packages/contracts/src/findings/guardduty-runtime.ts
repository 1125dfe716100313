import { z } from 'zod';
import {
  type FindingMalware,
  type FindingRuntime,
  lineageLimit,
  malwareThreatLimit,
  type ProcessAncestor,
  type RuntimeProcess,
} from '../finding-context.js';
import { defined, isoTime, isRecord, orNull } from './shared.js';

/*
 * GuardDuty Runtime Monitoring's `service.runtimeDetails` and the malware scans'
 * `service.malwareScanDetails` (API reference: `RuntimeDetails`, `ProcessDetails`, `RuntimeContext`,
 * `MalwareScanDetails`). Times come as ISO strings in events and as epoch seconds from the API.
 */

const integer = orNull(z.number().int());
const text = orNull(z.string());

const LineageObject = z.object({
  name: text,
  executablePath: text,
  pid: integer,
  uuid: text,
  parentUuid: text,
  userId: integer,
  euid: integer,
});

const ProcessDetails = z.object({
  name: text,
  executablePath: text,
  executableSha256: text,
  pid: integer,
  namespacePid: integer,
  user: text,
  userId: integer,
  euid: integer,
  pwd: text,
  startTime: z.unknown().optional(),
  uuid: text,
  parentUuid: text,
  lineage: orNull(z.array(LineageObject)),
});
type ProcessDetails = z.infer<typeof ProcessDetails>;

/** `service.runtimeDetails`: the process and the rest of its context. */
export const RuntimeDetails = z.object({
  process: orNull(ProcessDetails),
  context: orNull(
    z
      .object({
        targetProcess: orNull(ProcessDetails),
        modifyingProcess: orNull(ProcessDetails),
      })
      .catchall(z.unknown()),
  ),
});
/** @see RuntimeDetails */
export type RuntimeDetails = z.infer<typeof RuntimeDetails>;

/** `service.malwareScanDetails`: the scan and the threats it found. */
export const MalwareScanDetails = z.object({
  scanId: text,
  scanType: text,
  threats: orNull(
    z.array(
      z.object({
        name: text,
        source: text,
        hash: text,
        count: integer,
        itemPaths: orNull(z.array(z.object({ nestedItemPath: text, hash: text }))),
      }),
    ),
  ),
});
/** @see MalwareScanDetails */
export type MalwareScanDetails = z.infer<typeof MalwareScanDetails>;

function processOf(details: ProcessDetails | undefined): RuntimeProcess | undefined {
  if (!details) return undefined;
  const lineage: ProcessAncestor[] = (details.lineage ?? []).slice(0, lineageLimit).map((ancestor) =>
    defined({
      name: ancestor.name,
      executablePath: ancestor.executablePath,
      pid: ancestor.pid,
      uuid: ancestor.uuid,
      parentUuid: ancestor.parentUuid,
      userId: ancestor.userId,
      euid: ancestor.euid,
    }),
  );
  return {
    ...defined({
      name: details.name,
      executablePath: details.executablePath,
      executableSha256: details.executableSha256,
      pid: details.pid,
      namespacePid: details.namespacePid,
      user: details.user,
      userId: details.userId,
      euid: details.euid,
      pwd: details.pwd,
      startTime: isoTime(details.startTime, 'seconds'),
      uuid: details.uuid,
      parentUuid: details.parentUuid,
    }),
    lineage,
  };
}

/** The context's scalar facts; string lists joined with commas, objects left in `raw`. */
function scalarContext(context: Record<string, unknown>): FindingRuntime['context'] {
  const out: FindingRuntime['context'] = {};
  for (const [key, value] of Object.entries(context)) {
    if (key === 'targetProcess' || key === 'modifyingProcess') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key] = value;
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
      out[key] = value.join(',');
  }
  return out;
}

/** The runtime side of a finding, or `undefined` when it has none. */
export function runtimeOf(details: RuntimeDetails | undefined): FindingRuntime | undefined {
  if (!details) return undefined;
  const context = details.context;
  const runtime = {
    ...defined({
      process: processOf(details.process),
      targetProcess: processOf(context?.targetProcess),
      modifyingProcess: processOf(context?.modifyingProcess),
    }),
    context: isRecord(context) ? scalarContext(context) : {},
  };
  return Object.keys(runtime).length > 1 || Object.keys(runtime.context).length > 0 ? runtime : undefined;
}

/** The malware a scan found, or `undefined` when the finding reports no scan. */
export function malwareOf(details: MalwareScanDetails | undefined): FindingMalware | undefined {
  if (!details) return undefined;
  return {
    ...defined({ scanId: details.scanId, scanType: details.scanType }),
    threats: (details.threats ?? []).slice(0, malwareThreatLimit).flatMap((threat) =>
      threat.name
        ? [
            {
              name: threat.name,
              ...defined({ source: threat.source, hash: threat.hash, count: threat.count }),
              itemPaths: (threat.itemPaths ?? [])
                .slice(0, 10)
                .flatMap((item) =>
                  item.nestedItemPath !== undefined
                    ? [{ path: item.nestedItemPath, ...defined({ hash: item.hash }) }]
                    : [],
                ),
            },
          ]
        : [],
    ),
  };
}
