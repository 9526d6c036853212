import { describe, expect, it } from 'vitest';
import { summarizeStatus } from '../src/lifecycle/status.js';
import type { MigrationsFolder } from '../src/history/migrations-folder.js';

const folder = (...names: string[]): MigrationsFolder => ({
  dir: '/m',
  lockFile: null,
  migrations: names.map((name) => ({ name, script: { ok: true, text: '' } })),
});
const clean = { editedMigrationNames: [], failedMigrationNames: [], hasMigrationsTable: true, history: null };

describe('status summary', () => {
  it('is in sync (exit 0) when everything is applied', () => {
    const report = summarizeStatus(folder('1_a', '2_b'), clean);
    expect(report.exitCode).toBe(0);
    expect(report.migrations.map((m) => m.state)).toEqual(['applied', 'applied']);
  });

  it('a failed row that carries the interrupted marker is interrupted, or in progress while another process holds the lock (exit 1 both)', () => {
    const diagnostic = { ...clean, failedMigrationNames: ['2_b', '3_c'], history: { diagnostic: 'databaseIsBehind' as const, unappliedMigrationNames: ['4_d'] } };
    const interrupted = summarizeStatus(folder('1_a', '2_b', '3_c', '4_d'), diagnostic, { interrupted: ['2_b'], inProgress: [] });
    expect(interrupted.migrations.map((m) => m.state)).toEqual(['applied', 'interrupted', 'failed', 'pending']);
    expect(interrupted.exitCode).toBe(1);
    const running = summarizeStatus(folder('1_a', '2_b'), { ...clean, failedMigrationNames: ['2_b'] }, { interrupted: [], inProgress: ['2_b'] });
    expect(running.migrations.map((m) => m.state)).toEqual(['applied', 'inProgress']);
    expect(running.exitCode).toBe(1);
  });

  it('exits 1 with pending migrations', () => {
    const report = summarizeStatus(folder('1_a', '2_b'), { ...clean, history: { diagnostic: 'databaseIsBehind', unappliedMigrationNames: ['2_b'] } });
    expect(report.exitCode).toBe(1);
    expect(report.migrations.find((m) => m.name === '2_b')?.state).toBe('pending');
  });

  it('exits 1 with a failed migration, and marks edited ones without failing', () => {
    expect(summarizeStatus(folder('1_a'), { ...clean, failedMigrationNames: ['1_a'] }).exitCode).toBe(1);
    const edited = summarizeStatus(folder('1_a'), { ...clean, editedMigrationNames: ['1_a'] });
    expect(edited.exitCode).toBe(0);
    expect(edited.migrations[0]?.state).toBe('edited');
  });

  it('reports migrations missing locally, and diverged histories with exit 1', () => {
    const missing = summarizeStatus(folder('1_a'), { ...clean, history: { diagnostic: 'migrationsDirectoryIsBehind', unpersistedMigrationNames: ['0_gone'] } });
    expect(missing.missing).toEqual(['0_gone']);
    const diverged = summarizeStatus(folder('1_a', '2_b'), {
      ...clean,
      history: { diagnostic: 'historiesDiverge', lastCommonMigrationName: '1_a', unpersistedMigrationNames: ['2_x'], unappliedMigrationNames: ['2_b'] },
    });
    expect(diverged.exitCode).toBe(1);
    expect(diverged.diverged).toEqual({ lastCommonMigration: '1_a' });
    expect(diverged.missing).toEqual(['2_x']);
  });

  it('exits 1 when the database has no migrations table', () => {
    expect(summarizeStatus(folder(), { ...clean, hasMigrationsTable: false }).exitCode).toBe(1);
  });
});
