import { type Config, parseConfig } from './config.js';

/**
 * The configuration of a process that runs from the command line (the server, the CLI): the
 * environment, after an optional `.env` in the working directory. A refused configuration is
 * printed one line per problem, and undefined returned for the caller to exit.
 */
export function configFromEnvironment(): { config: Config; warnings: string[] } | undefined {
  try {
    process.loadEnvFile();
  } catch {
    // No .env file: the environment alone configures the process.
  }
  const result = parseConfig(process.env);
  if (result.ok) return { config: result.config, warnings: result.warnings };
  for (const problem of result.problems) console.error(`gatehouse: configuration: ${problem}`);
  return undefined;
}
