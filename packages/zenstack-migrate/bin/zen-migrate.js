#!/usr/bin/env node
import { runCli } from '@migrate-kit/migrate-core/cli';
import { zenMigrateCli } from '../dist/cli.js';

process.exitCode = await runCli(zenMigrateCli, process.argv.slice(2));
