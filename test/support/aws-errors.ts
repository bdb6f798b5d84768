/** SDK-shaped service errors for fault injection: the name is the AWS error code, as the SDK sets it. */
function serviceError(name: string, message: string, status: number, fault: 'client' | 'server'): Error {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}

export const accessDenied = (action = 'iam:UpdateAccessKey') =>
  serviceError('AccessDenied', `User is not authorized to perform: ${action}`, 403, 'client');
export const throttling = () => serviceError('Throttling', 'Rate exceeded', 400, 'client');
export const serverError = () =>
  serviceError('ServiceFailure', 'We encountered an internal error. Please try again.', 500, 'server');
export const timeout = () => serviceError('TimeoutError', 'Connection timed out after 5000 ms', 0, 'client');
