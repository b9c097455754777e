#!/usr/bin/env node
// Entry point for `npx autoresearch`: TypeScript sources run through tsx, no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv);
