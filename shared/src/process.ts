export { announceListening, onShutdownSignal, type ShutdownOptions } from './process/lifecycle.js';
export { bootService, type BootOptions, type Stoppable } from './process/boot.js';
export { every } from './process/periodic.js';
export { KeyedLock } from './process/keyed-lock.js';
export { inParallel } from './process/in-parallel.js';
export { withDeadline } from './process/deadline.js';
