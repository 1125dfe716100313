import { readFile } from 'node:fs/promises';
import { formatPath, NotifyStage, SeverityBand } from '@ir/contracts';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ChannelName } from '../channels/channel.js';
import { RoutingConfigError } from '../errors.js';

const Channel = z.enum(ChannelName);

/** One rule: notifications of these bands and stages go to these channels. Absent lists match all. */
export const Route = z.strictObject({
  bands: z.array(SeverityBand).min(1).optional(),
  stages: z.array(NotifyStage).min(1).optional(),
  channels: z.array(Channel).min(1),
});
/** @see Route */
export type Route = z.infer<typeof Route>;

/** The routing file (`IR_NOTIFY_ROUTES`): rules, and the channel to try when a channel fails. */
export const RoutingFile = z.strictObject({
  routes: z.array(Route).min(1),
  fallbacks: z.partialRecord(Channel, Channel).default({}),
});
/** @see RoutingFile */
export type RoutingFile = z.infer<typeof RoutingFile>;

/**
 * Stages that ask a person to act. Why checked at start: a routing file that sends an approval
 * request or a failed step nowhere would leave containment waiting in silence (TRAPS 16).
 */
export const STAGES_NEEDING_A_PERSON: readonly NotifyStage[] = ['opened', 'approval-needed', 'step-failed'];

/**
 * Parses and validates routing YAML. Every problem names its path in the file: unknown keys, bands,
 * stages or channels; a channel the environment does not configure; fallback cycles; a band whose
 * opened / approval-needed / step-failed notifications would go nowhere.
 */
export function parseRoutes(
  text: string,
  configured: readonly ChannelName[],
  source = 'routing file',
): RoutingFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    throw new RoutingConfigError(`${source}: not valid YAML: ${message}`, [message], error);
  }
  const parsed = RoutingFile.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new RoutingConfigError(`${source}: ${problems.join('; ')}`, problems, parsed.error);
  }
  const routing = parsed.data;
  const problems = [
    ...unconfiguredChannels(routing, new Set(configured)),
    ...fallbackCycles(routing),
    ...silentCombinations(routing),
  ];
  if (problems.length > 0) throw new RoutingConfigError(`${source}: ${problems.join('; ')}`, problems);
  return routing;
}

/** Reads and validates the routing file at `path`; the error names the variable and the file. */
export async function loadRoutes(path: string, configured: readonly ChannelName[]): Promise<RoutingFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error: unknown) {
    const code = (error as { code?: unknown }).code;
    const problem = `cannot read ${path} (${typeof code === 'string' ? code : 'error'})`;
    throw new RoutingConfigError(`IR_NOTIFY_ROUTES: ${problem}`, [problem], error);
  }
  return parseRoutes(text, configured, `IR_NOTIFY_ROUTES (${path})`);
}

function unconfiguredChannels(routing: RoutingFile, configured: ReadonlySet<ChannelName>): string[] {
  const problems: string[] = [];
  routing.routes.forEach((route, r) => {
    route.channels.forEach((channel, c) => {
      if (!configured.has(channel)) {
        problems.push(
          `routes[${r}].channels[${c}]: channel "${channel}" is not configured in the environment`,
        );
      }
    });
  });
  for (const [from, to] of Object.entries(routing.fallbacks)) {
    if (to && !configured.has(to)) {
      problems.push(`fallbacks.${from}: channel "${to}" is not configured in the environment`);
    }
  }
  return problems;
}

function fallbackCycles(routing: RoutingFile): string[] {
  const problems: string[] = [];
  for (const start of Object.keys(routing.fallbacks) as ChannelName[]) {
    const seen = new Set<ChannelName>([start]);
    let next = routing.fallbacks[start];
    while (next) {
      if (seen.has(next)) {
        problems.push(`fallbacks.${start}: fallback chain returns to "${next}"`);
        break;
      }
      seen.add(next);
      next = routing.fallbacks[next];
    }
  }
  return problems;
}

function silentCombinations(routing: RoutingFile): string[] {
  const problems: string[] = [];
  for (const band of SeverityBand.options) {
    for (const stage of STAGES_NEEDING_A_PERSON) {
      if (channelsFor(routing, band, stage).length === 0) {
        problems.push(`routes: no route sends ${band} "${stage}" notifications anywhere`);
      }
    }
  }
  return problems;
}

/** The channels a notification of `band` at `stage` goes to: every matching route's, in file order, once. */
export function channelsFor(routing: RoutingFile, band: SeverityBand, stage: NotifyStage): ChannelName[] {
  const channels = new Set<ChannelName>();
  for (const route of routing.routes) {
    if (route.bands && !route.bands.includes(band)) continue;
    if (route.stages && !route.stages.includes(stage)) continue;
    for (const channel of route.channels) channels.add(channel);
  }
  return [...channels];
}
