import { Token } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  literal,
  ownedDocuments,
  SSM_DOCUMENT_KEYS,
  type SsmDocumentKey,
  ssmDocumentName,
} from '@ir/ssm-documents';
import { Construct } from 'constructs';

export interface OwnedSsmDocumentsProps {
  /** `IR_PREFIX` (or the member stack's `SystemPrefix` parameter): documents are `<prefix>-<Key>`. */
  readonly prefix: string;
  /**
   * Name of the evidence bucket memory is uploaded to. A literal is escaped; a CloudFormation value
   * is used as it is, so it must resolve to a name without dots (the member stack's parameter
   * pattern says so), or a dot would match any character.
   */
  readonly evidenceBucketName: string;
}

/**
 * The SSM Command documents forensics runs host commands through (@ir/ssm-documents): fixed scripts
 * whose parameters admit only safe values, instead of `AWS-RunShellScript` (TRAPS 20). Updates keep
 * the name (`NewVersion`), so the forensics policy, which names the documents, stays valid.
 */
export class OwnedSsmDocuments extends Construct {
  readonly documents: Readonly<Record<SsmDocumentKey, ssm.CfnDocument>>;

  constructor(scope: Construct, id: string, props: OwnedSsmDocumentsProps) {
    super(scope, id);
    const definitions = ownedDocuments({
      evidenceBucketPattern: Token.isUnresolved(props.evidenceBucketName)
        ? props.evidenceBucketName
        : literal(props.evidenceBucketName),
    });
    this.documents = Object.fromEntries(
      SSM_DOCUMENT_KEYS.map((key) => [
        key,
        new ssm.CfnDocument(this, key, {
          name: ssmDocumentName(props.prefix, key),
          documentType: 'Command',
          documentFormat: 'JSON',
          targetType: '/AWS::EC2::Instance',
          updateMethod: 'NewVersion',
          content: definitions[key],
        }),
      ]),
    ) as Record<SsmDocumentKey, ssm.CfnDocument>;
  }
}
