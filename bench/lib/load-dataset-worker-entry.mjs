// Entry of the loader's worker threads: registers the TypeScript loader (tsx) in the thread, then loads the worker.
import { register } from 'tsx/esm/api';

register();
await import('./load-dataset-worker.ts');
