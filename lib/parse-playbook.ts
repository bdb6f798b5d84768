import { ACTIONS } from '../lambdas/actions/registry';
import { describeIssues } from '../lambdas/common/describe-issues';
import { PlaybookInvalidError, approvalProblems, playbookSchema, type Playbook } from '../lambdas/model/playbook';

/** Validates a playbook's shape, then that every step names a registered action whose parameters parse. */
export function parsePlaybook(input: unknown, origin: string): Playbook {
  const parsed = playbookSchema.safeParse(input);
  if (!parsed.success) throw new PlaybookInvalidError(origin, describeIssues(parsed.error, input));
  const problems: string[] = approvalProblems(parsed.data.mode, parsed.data.approval);
  parsed.data.steps.forEach((step, index) => {
    const action = ACTIONS.get(step.action);
    if (!action) {
      problems.push(
        `steps[${index}].action: expected one of ${[...ACTIONS.keys()].join(', ')}, got ${JSON.stringify(step.action)}`,
      );
      return;
    }
    for (const [position, earlier] of (step.after ?? []).entries()) {
      if (!parsed.data.steps.slice(0, index).some((candidate) => candidate.action === earlier)) {
        problems.push(
          `steps[${index}].after[${position}]: expected the action of an earlier step, got ${JSON.stringify(earlier)}`,
        );
      }
    }
    const stepParams = action.params.safeParse(step.with ?? {});
    if (!stepParams.success)
      problems.push(...describeIssues(stepParams.error, step.with ?? {}, `steps[${index}].with`));
  });
  if (problems.length > 0) throw new PlaybookInvalidError(origin, problems);
  return parsed.data;
}
