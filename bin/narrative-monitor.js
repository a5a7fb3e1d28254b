#!/usr/bin/env node
// Entry point of the `narrative-monitor` command: runs the TypeScript sources through tsx's loader,
// so there is no build step between a checkout and a running system.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
