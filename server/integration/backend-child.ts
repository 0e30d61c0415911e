// A backend in its own process, for the test that SIGKILLs it: prints its URL.
import { startTestBackend } from './harness.ts';

const backend = await startTestBackend();
process.stdout.write(`${backend.url}\n`);
