import type { PreparedStep } from './journal';

/**
 * The steps whose writes each step's write waits for: those it names in `after`, and for evidence and tag steps
 * (not containment) every containment step's, so that nothing an attacker could use the time against goes out before
 * the network and credentials are cut. A step a containment step waits for (named in its `after`, directly or through
 * other steps: Standby before isolation) is part of containment and waits for none. By index; pure.
 */
export function writesAwaited(steps: readonly PreparedStep[]): number[][] {
  const indexOf = (id: string) => steps.findIndex((candidate) => candidate.action.id === id);
  const named = steps.map((step) => step.after.map(indexOf).filter((index) => index >= 0));
  const prerequisites = prerequisitesOfContainment(steps, named);
  return steps.map((step, index) => {
    const waitsForContainment = !step.action.containment && !prerequisites.has(index);
    const containment = waitsForContainment
      ? steps.flatMap((other, otherIndex) => (other.action.containment && otherIndex !== index ? [otherIndex] : []))
      : [];
    return [...new Set([...named[index]!, ...containment])];
  });
}

/** The steps a containment step waits for, directly or through the steps it waits for. */
function prerequisitesOfContainment(steps: readonly PreparedStep[], named: readonly number[][]): Set<number> {
  const found = new Set<number>();
  const visit = (index: number) => {
    for (const before of named[index] ?? []) {
      if (found.has(before)) continue;
      found.add(before);
      visit(before);
    }
  };
  steps.forEach((step, index) => step.action.containment && visit(index));
  return found;
}
