#!/usr/bin/env node
import { runCli } from '@migrate-kit/migrate-core/cli';
import { keystoneMigrateCli } from '../dist/cli.js';

process.exitCode = await runCli(keystoneMigrateCli, process.argv.slice(2));
