import { Token } from "aws-cdk-lib";
import { DomainName, SecurityPolicy } from "aws-cdk-lib/aws-apigatewayv2";
import { Certificate } from "aws-cdk-lib/aws-certificatemanager";
import type { Construct } from "constructs";

/** The intake's custom domain, as `WebhookGatewayProps` give it. */
export interface IntakeDomainProps {
  readonly domainName?: string;
  readonly certificateArn?: string;
  readonly disableExecuteApiEndpoint?: boolean;
}

/** A checked custom domain, or none. */
export interface IntakeDomainSettings {
  readonly domain?: { readonly domainName: string; readonly certificateArn: string };
  /** Refuse requests on `https://<api-id>.execute-api…`: providers then can only use the domain. */
  readonly disableExecuteApiEndpoint: boolean;
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;

/**
 * Checks the custom-domain props: both or neither of `domainName` and `certificateArn` (an ACM certificate in the
 * stack's region, as regional endpoints need); `disableExecuteApiEndpoint` defaults to true with a domain (the
 * provider-facing URL then cannot bypass it) and cannot be true without one (the API would be unreachable).
 * @throws Error naming the prop
 */
export function intakeDomainSettings(props: IntakeDomainProps): IntakeDomainSettings {
  const { domainName, certificateArn } = props;
  if (domainName === undefined && certificateArn === undefined) {
    if (props.disableExecuteApiEndpoint === true) {
      throw new Error("disableExecuteApiEndpoint: without domainName the API would have no endpoint at all");
    }
    return { disableExecuteApiEndpoint: false };
  }
  if (domainName === undefined) throw new Error("domainName: required with certificateArn");
  if (certificateArn === undefined) throw new Error("certificateArn: required with domainName");
  if (!Token.isUnresolved(domainName) && !HOST_NAME.test(domainName)) {
    throw new Error(`domainName: expected a host name such as hooks.example.com, got ${JSON.stringify(domainName)}`);
  }
  if (!Token.isUnresolved(certificateArn) && !CERTIFICATE_ARN.test(certificateArn)) {
    throw new Error(
      `certificateArn: expected an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>), got ${JSON.stringify(certificateArn)}`,
    );
  }
  return { domain: { domainName, certificateArn }, disableExecuteApiEndpoint: props.disableExecuteApiEndpoint ?? true };
}

/** The API Gateway domain name (regional, TLS 1.2); point a DNS CNAME or alias at its `regionalDomainName`. */
export function newIntakeDomain(scope: Construct, domain: { domainName: string; certificateArn: string }): DomainName {
  return new DomainName(scope, "IntakeDomain", {
    domainName: domain.domainName,
    certificate: Certificate.fromCertificateArn(scope, "IntakeCertificate", domain.certificateArn),
    // Said explicitly rather than left to a default: providers must never be offered TLS 1.0.
    securityPolicy: SecurityPolicy.TLS_1_2,
  });
}
