#!/usr/bin/env node
// Entry point of the `fenyong` command. The sources are TypeScript; tsx compiles them on the fly
// so that `npx fenyong …` works right after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

// A reader that stops early (`fenyong statement … | head`) closes the pipe: not an error of ours.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
