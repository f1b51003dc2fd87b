// The file helpers live in src/host-files.ts (below stores/, which uses them too); re-exported for the adapters.
export * from '../host-files.ts';
