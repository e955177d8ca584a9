export type { Checkpoint, Checkpoints } from './checkpoints.js';
export { CheckpointConflict, InMemoryCheckpoints } from './checkpoints.js';
export type { DeadLetter, DeadLetters } from './dead-letters.js';
export { InMemoryDeadLetters } from './dead-letters.js';
export { FileCheckpoints } from './file-checkpoints.js';
export type { Relay, RelayOptions } from './relay.js';
export { relay } from './relay.js';
export type { RelayRetry, TargetState, TargetStatus } from './target-worker.js';
