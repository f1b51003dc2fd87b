export { osLocalRoots } from './contents.ts';
export { type ChosenRoot, envAfter, type FixPlan, planFix, readChosenRoots } from './plan.ts';
export { selectRoots } from './select.ts';
