/** A person the local identity provider can sign in, with the groups its tokens carry. */
export interface DemoOperator {
  readonly subject: string;
  readonly name: string;
  readonly email: string;
  readonly groups: readonly string[];
}

/**
 * The people of the local identity provider, one per role and a second approver (for the
 * "someone else approves" rules), plus one whose groups map to no role. Groups follow the
 * coordinator's default `IR_OIDC_ROLE_MAP` (`ir-viewers`, `ir-responders`, `ir-approvers`,
 * `ir-admins`). Not secrets: they only sign in to a provider on 127.0.0.1.
 */
export const DEMO_OPERATORS = {
  approver: {
    subject: 'op-alice',
    name: 'Alice Approver',
    email: 'alice@ir.example.test',
    groups: ['staff', 'ir-approvers'],
  },
  secondApprover: {
    subject: 'op-bob',
    name: 'Bob Approver',
    email: 'bob@ir.example.test',
    groups: ['staff', 'ir-approvers'],
  },
  responder: {
    subject: 'op-rita',
    name: 'Rita Responder',
    email: 'rita@ir.example.test',
    groups: ['staff', 'ir-responders'],
  },
  viewer: {
    subject: 'op-victor',
    name: 'Victor Viewer',
    email: 'victor@ir.example.test',
    groups: ['staff', 'ir-viewers'],
  },
  admin: { subject: 'op-ada', name: 'Ada Admin', email: 'ada@ir.example.test', groups: ['ir-admins'] },
  noRole: { subject: 'op-nora', name: 'Nora Nobody', email: 'nora@ir.example.test', groups: ['staff'] },
} as const satisfies Record<string, DemoOperator>;

/** The key of a demo operator in {@link DEMO_OPERATORS}. */
export type DemoOperatorName = keyof typeof DEMO_OPERATORS;

/** The demo operator with this subject, if any. */
export function demoOperatorBySubject(subject: string): DemoOperator | undefined {
  return Object.values(DEMO_OPERATORS).find((operator) => operator.subject === subject);
}
