import type { RecordedIngressRule } from '../../aws/admin-ingress-rules.js';
import { permissionOf } from './security-group-state.js';

/** What a POSIX shell reads as one word without quotes. */
const PLAIN_WORD = /^[A-Za-z0-9@%+=:,./_-]+$/;

/**
 * `value` as one POSIX shell word: as it is when nothing in it is special, otherwise in single quotes
 * (a quote inside written `'\''`). Why: the commands are pasted by an operator, and a rule description
 * may hold any character.
 */
export function shellWord(value: string): string {
  return PLAIN_WORD.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

function awsCommand(words: readonly string[]): string {
  return ['aws', ...words].map((word, i) => (i < 3 ? word : shellWord(word))).join(' ');
}

/** `aws ec2 <subcommand>` on the group with `rules` as `--ip-permissions`, the API's `IpPermission` JSON. */
function ingressCommand(
  subcommand: string,
  region: string,
  groupId: string,
  rules: readonly RecordedIngressRule[],
): string {
  const permissions = JSON.stringify(rules.map(permissionOf));
  return awsCommand([
    'ec2',
    subcommand,
    '--region',
    region,
    '--group-id',
    groupId,
    '--ip-permissions',
    permissions,
  ]);
}

/**
 * The AWS CLI command that authorises `rules` on the group again, each with its recorded
 * description: the very permission the isolator used to send itself.
 */
export function authorizeIngressCommand(
  region: string,
  groupId: string,
  rules: readonly RecordedIngressRule[],
): string {
  return ingressCommand('authorize-security-group-ingress', region, groupId, rules);
}

/**
 * The AWS CLI command that sets the recorded descriptions on rules that are back with another one
 * (AWS refuses a second rule that differs only by its description; a rule recorded without one has
 * its description removed).
 */
export function updateIngressDescriptionsCommand(
  region: string,
  groupId: string,
  rules: readonly RecordedIngressRule[],
): string {
  return ingressCommand('update-security-group-rule-descriptions-ingress', region, groupId, rules);
}

/** The AWS CLI command that stops a trail's logging, in its home region. */
export function stopLoggingCommand(homeRegion: string, trailArn: string): string {
  return awsCommand(['cloudtrail', 'stop-logging', '--region', homeRegion, '--name', trailArn]);
}
