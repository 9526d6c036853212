#!/usr/bin/env node
import { runCli } from '../dist/cli/run-cli.js';
import { genericCli } from '../dist/cli/generic-cli.js';

process.exitCode = await runCli(genericCli, process.argv.slice(2));
