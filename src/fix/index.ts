export { type ChosenRoot, envAfter, type FixPlan, planFix, readChosenRoots, rootsPath } from './plan.ts';
export { type Selection, type SelectOptions, selectRoots } from './select.ts';
