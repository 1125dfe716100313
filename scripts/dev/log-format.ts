/**
 * Turns the services' JSON log lines into one readable, labelled line each for `pnpm dev`:
 * `14:03:07 INFO  [isolator]   instance_isolated incidentId=… instanceId=…`. Lines that are not JSON
 * pass through unchanged, labelled.
 */
const LEVEL_COLOUR: Record<string, string> = {
  trace: '90',
  debug: '90',
  info: '32',
  warn: '33',
  error: '31',
  fatal: '35',
};
const SERVICE_COLOUR = ['36', '35', '34', '33', '32', '96'];
const OMIT = new Set(['level', 'time', 'service', 'msg', 'pid', 'hostname', 'queue', 'receiveCount']);

/** Formats one line from `service`; `index` picks the label colour; `colour` false for plain text. */
export function formatLogLine(service: string, index: number, line: string, colour: boolean): string {
  const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const label = paint(SERVICE_COLOUR[index % SERVICE_COLOUR.length] ?? '36', `[${service}]`.padEnd(24));
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${label} ${line}`;
  }
  const level = String(record.level ?? 'info');
  const time = typeof record.time === 'string' ? record.time.slice(11, 19) : '        ';
  const fields = Object.entries(record)
    .filter(([key]) => !OMIT.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const shortFields = fields.length > 300 ? `${fields.slice(0, 297)}...` : fields;
  return `${time} ${paint(LEVEL_COLOUR[level] ?? '37', level.toUpperCase().padEnd(5))} ${label} ${String(record.msg ?? '')} ${paint('90', shortFields)}`;
}
