/** `certifix explain`'s pure half: read a pasted error and say what it means. */
export { advise, KIND, type RootSeen } from './advice.ts';
export { type ExplainedError, parseError } from './parse.ts';
export type { VerifyCode } from './reasons.ts';
export { type ErrorClient, RECOGNISERS } from './recognisers.ts';
