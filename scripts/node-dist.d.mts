// Types for node-dist.mjs, imported by the test helpers.
export declare const CACHE: string;
export declare const NODE_VERSIONS: { 20: string; 22: string; 24: string };
export declare function cachedNode(platform: 'linux' | 'win', version: string): string | null;
export declare function fetchNode(platform: 'linux' | 'win', version: string): string;
