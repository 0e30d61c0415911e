// A backend in its own process, for the tests that SIGKILL it: prints its URL.
// PLAYGROUND_TEST_VM=6.12 gives it that VM kernel too, with one VM booted ahead.
import { startTestBackend } from './harness.ts';

const vmKernel = process.env.PLAYGROUND_TEST_VM as '6.12' | '6.1' | undefined;
const backend = await startTestBackend((config) => {
  if (!vmKernel) return;
  config.sandbox = 'auto';
  config.vm.kernels = [vmKernel];
  config.vm.poolSize = 1;
});
process.stdout.write(`${backend.url}\n`);
