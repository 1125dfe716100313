/** One IAM policy statement in its JSON form, as docs/iam/*.json shows it. */
export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** An IAM policy document in its JSON form. */
export interface PolicyJson {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatementJson[];
}
