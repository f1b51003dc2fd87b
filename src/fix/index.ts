export { type BundleContents, bundleContents, describeCounts, osLocalRoots } from './contents.ts';
export { type ClientChoice, chooseClients } from './needs.ts';
export { type ChosenRoot, envAfter, type FixPlan, planFix, readChosenRoots, rootsPath } from './plan.ts';
export { type Selection, type SelectOptions, selectRoots } from './select.ts';
