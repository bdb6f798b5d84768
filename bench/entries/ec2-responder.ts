// A cold EC2 responder: the handler module, then the clients its first invocation builds.
import { createAwsClients } from '../../lambdas/aws/aws-clients';
import { findAction } from '../../lambdas/engine/action-registry';
import { handler } from '../../lambdas/handlers/respond';

const clients = createAwsClients('us-east-1');
for (const id of ['ec2-record-instance-state', 'autoscaling-enter-standby', 'ec2-isolate-network', 'ec2-revoke-instance-credentials', 'ec2-protect-evidence', 'ec2-snapshot-volumes', 'ec2-tag-instance']) findAction(id);
void [handler, clients.iam, clients.sns, clients.dynamodb, clients.ec2, clients.autoScaling];
