import { RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The two key slots; the configured one signs, the other still verifies. */
export const DECISION_KEY_SLOTS = ['a', 'b'] as const;
export type DecisionKeySlot = (typeof DECISION_KEY_SLOTS)[number];

/** Settings of {@link DecisionSigningKeys}. */
export interface DecisionSigningKeysProps {
  readonly prefix: string;
  /** The slot the coordinator signs with (`decisionSigningKey`). */
  readonly active: DecisionKeySlot;
}

/**
 * The HMAC keys operator decisions are signed with (issue 18: a decision on the coordinator queue
 * without a valid signature is refused). Two generated secrets, `<prefix>/decision-signing-key-a` and
 * `-b`: the active one is the coordinator's `IR_DECISION_SIGNING_KEY`, the other its
 * `IR_DECISION_SIGNING_KEY_PREVIOUS`, so decisions signed by tasks of the previous deployment are
 * still accepted while a rotation rolls out. Why two secrets and a switch rather than a copy of the
 * old value: rotating never needs anyone to read a key, and {@link restrictReadsTo} denies reading it
 * to everyone but the coordinator's execution role (ECS injects it at task start).
 */
export class DecisionSigningKeys extends Construct {
  readonly secrets: Readonly<Record<DecisionKeySlot, secretsmanager.Secret>>;
  readonly active: DecisionKeySlot;

  constructor(scope: Construct, id: string, props: DecisionSigningKeysProps) {
    super(scope, id);
    this.active = props.active;
    const create = (slot: DecisionKeySlot) =>
      new secretsmanager.Secret(this, `Key${slot.toUpperCase()}`, {
        secretName: `${props.prefix}/decision-signing-key-${slot}`,
        description: `HMAC key operator decisions are signed with (slot ${slot}; decisionSigningKey picks the signing slot)`,
        // 64 lowercase hex digits (256 bits), the form `openssl rand -hex 32` gives for a rotation:
        // Secrets Manager has no hex generator, so everything but 0-9a-f is excluded.
        generateSecretString: {
          passwordLength: 64,
          excludePunctuation: true,
          excludeUppercase: true,
          excludeCharacters: 'ghijklmnopqrstuvwxyz',
          includeSpace: false,
        },
        // Nothing outlives a decision in flight: a new stack may generate new keys.
        removalPolicy: RemovalPolicy.DESTROY,
      });
    this.secrets = { a: create('a'), b: create('b') };
  }

  /** The coordinator's container secrets: the signing key and the previous (verify-only) key. */
  containerSecrets(): Record<'IR_DECISION_SIGNING_KEY' | 'IR_DECISION_SIGNING_KEY_PREVIOUS', ecs.Secret> {
    const previous: DecisionKeySlot = this.active === 'a' ? 'b' : 'a';
    return {
      IR_DECISION_SIGNING_KEY: ecs.Secret.fromSecretsManager(this.secrets[this.active]),
      IR_DECISION_SIGNING_KEY_PREVIOUS: ecs.Secret.fromSecretsManager(this.secrets[previous]),
    };
  }

  /**
   * Denies `GetSecretValue` on both keys to every principal but `reader` (the coordinator's execution
   * role). Only reads are denied: administrators still put a new value (rotation), describe and
   * manage the secrets and this policy.
   */
  restrictReadsTo(reader: iam.IRole): void {
    for (const secret of Object.values(this.secrets)) {
      secret.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyTheCoordinatorExecutionRoleReads',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['secretsmanager:GetSecretValue'],
          resources: ['*'],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': reader.roleArn } },
        }),
      );
    }
  }
}
