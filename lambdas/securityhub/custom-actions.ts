/**
 * The Security Hub custom actions Firebreak creates (`action/custom/<id>`; ids and names at most 20 characters).
 * Shared by the stack, which creates them and routes their events, and the functions, which check the ARN.
 */
export const CONTAIN_ACTION_ID = 'FirebreakContain';
export const RELEASE_ACTION_ID = 'FirebreakRelease';

export const CUSTOM_ACTIONS = {
  contain: {
    id: CONTAIN_ACTION_ID,
    name: 'Firebreak: contain',
    description:
      'Runs the matching Firebreak playbook on the selected findings, through all of its gates (sample, protected, exempt, breaker)',
  },
  release: {
    id: RELEASE_ACTION_ID,
    name: 'Firebreak: release',
    description:
      'Releases the Firebreak incident of each selected finding: restores the state Firebreak recorded before it contained it',
  },
} as const;
