// A cold EC2 responder: the handler module, then the clients its first invocation builds.
import { createAwsClients } from '../../lambdas/aws/aws-clients';
import { handler } from '../../lambdas/handlers/respond';

const clients = createAwsClients('us-east-1');
void [handler, clients.iam, clients.sns, clients.dynamodb, clients.ec2, clients.autoScaling];
