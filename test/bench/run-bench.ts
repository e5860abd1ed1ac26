import { loadGenerator } from './load-generator.js';
import { parseOptions } from './options.js';

/**
 * `npm run bench [-- options]`: the speed table (default), the memory soak (--soak) or CPU
 * profiles (--profile) of Gatehouse, driven by one load generator (wrk when installed, else
 * autocannon in its own process) against `node dist/src/server.js` in child processes.
 */
async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const generator = await loadGenerator(options);
  if (options.mode === 'soak') {
    const { runSoak } = await import('./soak.js');
    process.exitCode = await runSoak(generator, options);
  } else if (options.mode === 'profile') {
    const { runProfile } = await import('./profile.js');
    process.exitCode = await runProfile(generator, options);
  } else {
    const { runSpeed } = await import('./speed.js');
    process.exitCode = await runSpeed(generator, options);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
