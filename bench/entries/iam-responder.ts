// A cold IAM responder: the handler module, then the clients its first invocation builds (IAM, SNS, DynamoDB).
import { createAwsClients } from '../../lambdas/aws/aws-clients';
import { handler } from '../../lambdas/handlers/respond';

const clients = createAwsClients('us-east-1');
void [handler, clients.iam, clients.sns, clients.dynamodb];
