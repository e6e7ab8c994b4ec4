import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { Grant, type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  type IBucket,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { BODY_KEY_PREFIX } from "../../lambdas/shared/body/bodyObjectKey.ts";

/**
 * What the gateway calls on the body bucket (`lambdas/shared/body/s3BodyStore.ts`), on `bodies/*` only: the intake
 * writes a body (`putBody`), the delivery reads it (`openBody`, also HeadObject). Never ListBucket or DeleteObject:
 * the lifecycle rule deletes. (Without ListBucket, a missing key answers 403 instead of 404; a referenced body is
 * never missing while its event lives, see `BODY_EXPIRY_MARGIN_DAYS`.)
 */
export const BODY_BUCKET_ACTIONS = {
  putBody: ["s3:PutObject"],
  readBody: ["s3:GetObject"],
} as const;

/** With a KMS key: what a writer needs to have S3 encrypt under it, and what a reader needs to decrypt. */
export const BODY_KEY_ACTIONS = {
  putBody: ["kms:GenerateDataKey"],
  readBody: ["kms:Decrypt"],
} as const;

/**
 * Days an object outlives its events' retention. An event's item may still be read after its `expiresAt` until
 * DynamoDB's TTL deletes it (typically within 48 hours), and a body must never vanish before the item that refers
 * to it. Two days of S3 storage for the bodies in S3 cost cents per million events.
 */
export const BODY_EXPIRY_MARGIN_DAYS = 2;

export interface BodyBucketProps {
  /** How long the gateway keeps events (`eventRetentionSeconds`): objects expire this long after their last write, plus {@link BODY_EXPIRY_MARGIN_DAYS}. @default 30 days */
  readonly retention?: Duration;
  /** What deleting the stack does to the bucket; with `DESTROY`, empty it first (CloudFormation deletes only an empty bucket). @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Encrypt with this customer managed key (SSE-KMS, with an S3 Bucket Key to cut KMS requests). @default SSE-S3 (S3 managed keys) */
  readonly encryptionKey?: IKey;
  /** Where to send S3 server access logs. @default none: access is audited with CloudTrail data events if wanted */
  readonly serverAccessLogsBucket?: IBucket;
}

/**
 * The bucket of the bodies too large to keep inline (a claim check): private (every public access blocked, ACLs
 * off), TLS only (a bucket policy denies `aws:SecureTransport = false`), encrypted by default (SSE-S3, or a KMS
 * key), objects expired by a lifecycle rule after the events' retention, retained with the stack by default.
 *
 * Versioning is off on purpose: keys are content-addressed (SHA-256 of the body), so an object is only ever
 * rewritten with the same bytes; versions would store a duplicate's identical copy again, need a rule of their own
 * to expire, and could never hold a different body worth restoring.
 *
 * @example
 * const bodies = new BodyBucket(this, "Bodies", { retention: Duration.days(30) });
 * bodies.grantPutBody(intake);
 * bodies.grantReadBody(delivery);
 */
export class BodyBucket extends Construct {
  readonly bucket: Bucket;
  readonly bucketName: string;
  /** Days after an object's last write at which the lifecycle rule expires it. */
  readonly expirationDays: number;
  readonly #encryptionKey: IKey | undefined;

  constructor(scope: Construct, id: string, props: BodyBucketProps = {}) {
    super(scope, id);
    const retentionDays = Math.ceil((props.retention ?? Duration.days(30)).toSeconds() / 86_400);
    this.expirationDays = retentionDays + BODY_EXPIRY_MARGIN_DAYS;
    this.#encryptionKey = props.encryptionKey;
    this.bucket = new Bucket(this, "Bucket", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      encryption: props.encryptionKey === undefined ? BucketEncryption.S3_MANAGED : BucketEncryption.KMS,
      ...(props.encryptionKey === undefined ? {} : { encryptionKey: props.encryptionKey, bucketKeyEnabled: true }),
      versioned: false,
      lifecycleRules: [
        {
          id: "ExpireBodies",
          prefix: BODY_KEY_PREFIX,
          expiration: Duration.days(this.expirationDays),
          // The gateway uploads in one PutObject; a multipart upload left open (by a tool) is removed after a day.
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(props.serverAccessLogsBucket === undefined
        ? {}
        : { serverAccessLogsBucket: props.serverAccessLogsBucket, serverAccessLogsPrefix: "body-bucket/" }),
    });
    this.bucketName = this.bucket.bucketName;
    if (props.serverAccessLogsBucket === undefined) {
      Validations.of(this.bucket).acknowledge({
        id: "AwsSolutions::AwsSolutions-S1",
        reason: "Only the gateway's roles read or write bodies; CloudTrail S3 data events audit access if needed",
      });
    }
  }

  /** Lets `grantee` write bodies (`putBody`): PutObject on `bodies/*`, and the key's GenerateDataKey with a KMS key. */
  grantPutBody(grantee: IGrantable): Grant {
    return this.#grant(grantee, BODY_BUCKET_ACTIONS.putBody, BODY_KEY_ACTIONS.putBody);
  }

  /** Lets `grantee` read bodies (`openBody`): GetObject on `bodies/*`, and the key's Decrypt with a KMS key. */
  grantReadBody(grantee: IGrantable): Grant {
    return this.#grant(grantee, BODY_BUCKET_ACTIONS.readBody, BODY_KEY_ACTIONS.readBody);
  }

  /**
   * Acknowledges, on `holder` (a role or a managed policy), the one wildcard the gateway's grants have: a body's key
   * is known only once its bytes are hashed, so the grant covers the `bodies/` prefix.
   */
  acknowledgeBodyKeys(holder: Construct): void {
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    Validations.of(holder).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${BODY_KEY_PREFIX}*]`,
      reason: "Body keys are content-addressed (each body's SHA-256): the grant covers the bodies/ prefix only",
    });
  }

  /** {@link grantReadBody} as statements, for a managed policy (the operators' `OperatorPolicy`). */
  readBodyStatements(): PolicyStatement[] {
    const objects = new PolicyStatement({
      actions: [...BODY_BUCKET_ACTIONS.readBody],
      resources: [this.bucket.arnForObjects(`${BODY_KEY_PREFIX}*`)],
    });
    if (this.#encryptionKey === undefined) return [objects];
    return [
      objects,
      new PolicyStatement({ actions: [...BODY_KEY_ACTIONS.readBody], resources: [this.#encryptionKey.keyArn] }),
    ];
  }

  #grant(grantee: IGrantable, actions: readonly string[], keyActions: readonly string[]): Grant {
    const objects = Grant.addToPrincipal({
      grantee,
      actions: [...actions],
      resourceArns: [this.bucket.arnForObjects(`${BODY_KEY_PREFIX}*`)],
    });
    const principal = grantee.grantPrincipal;
    if (Construct.isConstruct(principal)) this.acknowledgeBodyKeys(principal);
    return this.#encryptionKey === undefined
      ? objects
      : objects.combine(this.#encryptionKey.grant(grantee, ...keyActions));
  }
}
