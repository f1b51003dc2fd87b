/** `certifix explain`'s pure half: read a pasted error and say what it means. */
export { advise, KIND, type Kind } from './advice.ts';
export { type ExplainedError, normalize, parseError } from './parse.ts';
export { REASONS, type Reason, reasonMessage, type VerifyCode } from './reasons.ts';
export { type ErrorClient, RECOGNISERS, type Recogniser, WHERE } from './recognisers.ts';
