#!/usr/bin/env node
import { runCli } from '@migrate-kit/migrate-core/cli';
import { prismaMigrateCli } from '../dist/cli.js';

process.exitCode = await runCli(prismaMigrateCli, process.argv.slice(2));
