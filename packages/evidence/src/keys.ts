/** Characters kept in key segments; anything else becomes `-` so ids cannot climb out of a prefix. */
const UNSAFE = /[^A-Za-z0-9._=-]/g;

/** One path segment made safe for an S3 key (no `/`, no `..`). */
export function keySegment(value: string): string {
  const safe = value.replace(UNSAFE, '-');
  return safe === '.' || safe === '..' || safe === '' ? `-${safe}` : safe;
}

/** `incidents/<incidentId>/`: everything an incident holds lives below it. */
export function incidentPrefix(incidentId: string): string {
  return `incidents/${keySegment(incidentId)}/`;
}

/** Where manifests of an incident live; they are not artifacts themselves but form a chain. */
export function manifestPrefix(incidentId: string): string {
  return `${incidentPrefix(incidentId)}manifests/`;
}

/**
 * `incidents/<incidentId>/<stepId>/<name>`. Why the step id: one step's artifacts have one key each,
 * so running a step twice finds its own evidence instead of writing a second set.
 */
export function artifactKey(incidentId: string, stepId: string, name: string): string {
  return `${incidentPrefix(incidentId)}${keySegment(stepId)}/${name.split('/').map(keySegment).join('/')}`;
}

/** `manifests/000001-<stepId>.json`: sorted by sequence, and findable by the step that sealed it. */
export function manifestKey(incidentId: string, sequence: number, stepId: string): string {
  return `${manifestPrefix(incidentId)}${String(sequence).padStart(6, '0')}-${keySegment(stepId)}.json`;
}

/** Sequence and step of a manifest key, or undefined for anything else under the prefix. */
export function parseManifestKey(
  incidentId: string,
  key: string,
): { sequence: number; stepId: string } | undefined {
  const prefix = manifestPrefix(incidentId);
  if (!key.startsWith(prefix)) return undefined;
  const match = /^(\d{6})-(.+)\.json$/.exec(key.slice(prefix.length));
  if (!match?.[1] || !match[2]) return undefined;
  return { sequence: Number(match[1]), stepId: match[2] };
}
