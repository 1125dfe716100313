import type { Logger } from '@ir/runtime';
import type { IncidentRepository } from '../repository/incident-repository.js';
import type { IncidentRecord } from '@ir/contracts';

/**
 * Deletes detection's open-incident marker of each of the incident's resources, if it still names
 * this incident, so the next finding about the resource opens a new incident. Run on every
 * resolve request, even a repeated one, so a failure half-way is finished by the redelivery.
 */
export async function releaseResources(
  repository: IncidentRepository,
  incident: IncidentRecord,
  logger: Logger,
): Promise<void> {
  const released: string[] = [];
  for (const resource of incident.resources) {
    if (await repository.releaseResource(resource.accountId, resource.key, incident.incidentId)) {
      released.push(resource.key);
    }
  }
  logger.info({ released, resources: incident.resources.length }, 'incident_resources_released');
}
