import { showValue } from '../common/describe-issues';

export type SecurityHubProduct = 'guardduty' | 'config';

export interface AuthenticProduct {
  readonly product: SecurityHubProduct;
  readonly partition: string;
  readonly region: string;
}

/**
 * The products whose findings Firebreak acts on, as Security Hub names them. Only AWS services import findings
 * under `product/aws/...` (no account in the ARN); any other importer's ProductArn names its own account
 * (`arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default`), whatever its Types or Title say.
 */
const PRODUCT_ARN =
  /^arn:(aws(?:-[a-z]+)*):securityhub:([a-z]{2}(?:-[a-z]+)+-\d{1,2})::product\/aws\/(guardduty|config)$/;

/** What Security Hub writes in ProductName, CompanyName and their ProductFields copies for each product. */
const NAMES: Record<SecurityHubProduct, { readonly productName: string; readonly companyName: string }> = {
  guardduty: { productName: 'GuardDuty', companyName: 'Amazon' },
  config: { productName: 'Config', companyName: 'AWS' },
};

export type ProductCheck =
  | { readonly kind: 'authentic'; readonly product: AuthenticProduct }
  | { readonly kind: 'untrusted'; readonly reason: string };

interface NamedFinding {
  readonly ProductArn: string;
  readonly ProductName?: string | undefined;
  readonly CompanyName?: string | undefined;
  readonly ProductFields: Record<string, string>;
}

/** Authenticates an ASFF finding by its ProductArn, then checks that the names Security Hub adds agree with it. */
export function authenticateProduct(finding: NamedFinding): ProductCheck {
  const match = PRODUCT_ARN.exec(finding.ProductArn);
  if (!match) {
    return {
      kind: 'untrusted',
      reason:
        `ProductArn ${showValue(finding.ProductArn)} is not GuardDuty's or AWS Config's (arn:<partition>:securityhub:<region>::product/aws/guardduty ` +
        `or .../product/aws/config): Firebreak acts only on findings those services imported`,
    };
  }
  const product = match[3] as SecurityHubProduct;
  const expected = NAMES[product];
  const names: [string, string | undefined, string][] = [
    ['ProductName', finding.ProductName, expected.productName],
    ['CompanyName', finding.CompanyName, expected.companyName],
    [
      'ProductFields["aws/securityhub/ProductName"]',
      finding.ProductFields['aws/securityhub/ProductName'],
      expected.productName,
    ],
    [
      'ProductFields["aws/securityhub/CompanyName"]',
      finding.ProductFields['aws/securityhub/CompanyName'],
      expected.companyName,
    ],
  ];
  for (const [field, value, wanted] of names) {
    if (value !== undefined && value !== wanted) {
      return {
        kind: 'untrusted',
        reason: `${field} ${showValue(value)} does not match ProductArn ${finding.ProductArn} (expected ${showValue(wanted)})`,
      };
    }
  }
  return { kind: 'authentic', product: { product, partition: match[1]!, region: match[2]! } };
}
