import { IncidentStatus } from '@ir/contracts';
import { API_OPTIONS, integerOption, positional, stringOption } from '../args.js';
import type { CommandSpec } from '../command.js';
import { ExitCode, UsageError } from '../errors.js';
import { renderIncident } from '../format/incident-view.js';
import { renderTable } from '../format/table.js';
import { toJson } from '../format/text.js';
import { apiOf } from './api-context.js';

/** Incident statuses the coordinator knows; checked here so a typo is a usage error, not an empty list. */
export const INCIDENT_STATUSES = IncidentStatus.options;

/** `irctl incidents [--status s]`: the newest incidents, from the coordinator API. */
export const incidentsCommand: CommandSpec = {
  name: 'incidents',
  summary: 'list incidents, newest first',
  positionals: [],
  options: {
    ...API_OPTIONS,
    status: {
      type: 'string',
      valueName: '<status>',
      help: `only this status (${INCIDENT_STATUSES.join(', ')})`,
    },
    limit: { type: 'string', valueName: '<n>', help: 'at most n incidents (1-500, default 100)' },
  },
  async run(args, context) {
    const status = stringOption(args, 'status');
    if (status !== undefined && !(INCIDENT_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status must be one of ${INCIDENT_STATUSES.join(', ')}`, 'incidents');
    }
    const limit = integerOption(args, 'limit', 100, { min: 1, max: 500 }, 'incidents');
    const incidents = await (await apiOf(args, context)).listIncidents({
      ...(status ? { status } : {}),
      limit,
    });
    if (args.values.json === true) {
      context.out(toJson({ incidents }));
      return ExitCode.ok;
    }
    if (incidents.length === 0) {
      context.out(status ? `no incidents with status ${status}` : 'no incidents');
      return ExitCode.ok;
    }
    context.out(
      renderTable(
        [
          { heading: 'INCIDENT', max: 40 },
          { heading: 'STATUS' },
          { heading: 'SEVERITY' },
          { heading: 'PLAYBOOK' },
          { heading: 'OPENED' },
          { heading: 'DRY-RUN' },
          { heading: 'SUMMARY', max: 70 },
        ],
        incidents.map((incident) => [
          incident.incidentId,
          incident.status,
          incident.severityBand,
          incident.playbookId,
          incident.openedAt,
          incident.dryRun ? 'yes' : '',
          incident.summary,
        ]),
      ),
    );
    return ExitCode.ok;
  },
};

/** `irctl show <id>`: one incident with its steps, evidence, pre-state and timeline. */
export const showCommand: CommandSpec = {
  name: 'show',
  summary: 'show an incident: timeline, steps, evidence, pre-state',
  positionals: ['<id>'],
  options: { ...API_OPTIONS },
  async run(args, context) {
    const view = await (await apiOf(args, context)).incident(positional(args, 0));
    context.out(args.values.json === true ? toJson(view) : renderIncident(view));
    return ExitCode.ok;
  },
};
