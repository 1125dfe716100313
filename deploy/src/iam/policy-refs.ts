/**
 * The deployment values a service's policy statements name. The stacks pass CDK tokens; the docs
 * generator passes `${Name}` placeholders, so docs/iam shows the same statements a reader can follow.
 */
export interface PolicyRefs {
  /** `aws`, `aws-cn`, `aws-us-gov`… (`Aws.PARTITION` in a stack). */
  readonly partition: string;
  /** ARN of the evidence bucket in the security account. */
  readonly evidenceBucketArn: string;
  /** ARN of the evidence KMS key in the security account. */
  readonly evidenceKeyArn: string;
  /** Key id of the evidence key, which snapshot copies in any account are encrypted with. */
  readonly evidenceKeyId: string;
  /** ARN of the asymmetric KMS key evidence manifests are signed with (security account). */
  readonly evidenceSigningKeyArn: string;
  /** `IR_PREFIX`: names the SSM documents forensics may run (`<prefix>-CollectVolatile`…). */
  readonly prefix: string;
}

/** The values docs/iam is written with: placeholders a reader substitutes, in the `aws` partition. */
export const DOCUMENT_REFS: PolicyRefs = {
  partition: 'aws',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a docs/iam placeholder, not a template
  evidenceBucketArn: 'arn:aws:s3:::${EvidenceBucket}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a docs/iam placeholder, not a template
  evidenceKeyArn: 'arn:aws:kms:${Region}:${SecurityAccountId}:key/${EvidenceKmsKeyId}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a docs/iam placeholder, not a template
  evidenceKeyId: '${EvidenceKmsKeyId}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a docs/iam placeholder, not a template
  evidenceSigningKeyArn: 'arn:aws:kms:${Region}:${SecurityAccountId}:key/${EvidenceSigningKeyId}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a docs/iam placeholder, not a template
  prefix: '${Prefix}',
};
