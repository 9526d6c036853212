import { createHash } from 'node:crypto';
import type { SqlDriverAdapter, SqlQuery, SqlResultSet } from '@prisma/driver-adapter-utils';

/** How a script is recorded in a history cache: the start of its SHA-256 (hex). */
export function replayedScriptHash(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex').slice(0, 24);
}

/** `MIGRATE_KIT_HISTORY_CACHE=off` (or 0/false) replays every history from scratch. */
export function historyCacheEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !/^(off|0|false|no)$/i.test(env.MIGRATE_KIT_HISTORY_CACHE ?? '');
}

/** A shadow database that already holds a replayed history: the scripts it ran, in order. */
export interface CachedReplay {
  adapter: SqlDriverAdapter;
  scripts: readonly string[];
  /**
   * A query the engine sends before replaying (its connection probe) that the cached database may
   * answer without deciding: the engine built that database after the same query.
   */
  answeredByCache?: (query: SqlQuery) => boolean;
  /** What the engine's reads returned on this database since it last changed (kept in-process only). */
  answers?: Map<string, SqlResultSet>;
}

/**
 * The shadow database connection the engine replays a migration history on, able to start from a
 * database where (a prefix of) that history was replayed before.
 *
 * Why: the engine replays the whole history on a fresh shadow database for every call that needs
 * it (`migrate dev` calls devDiagnostic, evaluateDataLoss and createMigration: three replays of
 * every migration), and again in the next process. Replaying is what makes `migrate dev` slow on
 * a long history (prisma#9888, #12229).
 *
 * How: the engine runs a replay as one `executeScript` per migration, in order, then reads the
 * catalog. While its scripts match, hash for hash, the scripts the cached database already ran,
 * they are only remembered. At the first other call the choice is made: if every cached script was
 * matched, the cached database is used (later scripts run on it); otherwise (an edited, removed or
 * reordered migration, or a shorter history) a fresh database is opened and the remembered scripts
 * are run on it for real. The engine sees exactly the database its own replay would have built.
 *
 * And within one process the engine reads the same catalog of the same, unchanged database after
 * each replay (0.13 s for 300 tables): what its reads returned since the database last changed is
 * kept with it and given back, until a script or a statement runs on it.
 * Test: test/history-cache.test.ts.
 */
export class HistoryReplay {
  private target: SqlDriverAdapter | undefined;
  private readonly matched: string[] = [];
  private ran: string[] = [];
  private failed = false;
  private deciding: Promise<SqlDriverAdapter> | undefined;

  /**
   * @param cached a database holding a replayed history, if there is one to start from
   * @param openFresh opens an empty shadow database (and gives up the cached one, if any)
   */
  constructor(
    private readonly cached: CachedReplay | undefined,
    private readonly openFresh: () => Promise<SqlDriverAdapter>,
  ) {}

  /** Reads answered on the database in use since it last changed: keep them with it (see the class comment). */
  answers: Map<string, SqlResultSet> = new Map();

  /** Hashes of the scripts the database in use now holds, in order. */
  get scripts(): readonly string[] {
    return this.ran;
  }

  /** False once a script failed: the database is then in no known state and must not be cached. */
  get reusable(): boolean {
    return !this.failed && this.target !== undefined;
  }

  /** The adapter handed to the engine. */
  adapter(first: SqlDriverAdapter): SqlDriverAdapter {
    if (!this.cached) this.target = first;
    return new Proxy(first, {
      get: (obj, prop) => {
        if (prop === 'executeScript') return (script: string) => this.executeScript(script);
        if (prop === 'dispose') return () => this.target?.dispose() ?? first.dispose();
        const value = Reflect.get(obj, prop, obj);
        if (typeof value !== 'function') return value;
        // Synchronous and the same for any database on the server.
        if (prop === 'getConnectionInfo') return value.bind(obj);
        // Everything else (catalog reads, raw statements, transactions) decides first.
        return async (...args: unknown[]) => {
          const undecided = !this.target && this.matched.length === 0;
          if (undecided && prop === 'queryRaw' && this.cached?.answeredByCache?.(args[0] as SqlQuery)) return this.cached.adapter.queryRaw(args[0] as SqlQuery);
          const target = await this.decide();
          if (prop === 'queryRaw') return this.read(target, args[0] as SqlQuery);
          this.answers.clear();
          return (Reflect.get(target, prop, target) as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  private async read(target: SqlDriverAdapter, query: SqlQuery): Promise<SqlResultSet> {
    const key = JSON.stringify([query.sql, query.args]);
    const known = this.answers.get(key);
    if (known) return known;
    const result = await target.queryRaw(query);
    this.answers.set(key, result);
    return result;
  }

  private async executeScript(script: string): Promise<void> {
    const hash = replayedScriptHash(script);
    if (!this.target && this.cached && this.matched.length < this.cached.scripts.length) {
      if (this.cached.scripts[this.matched.length] === hash) {
        this.matched.push(script);
        return;
      }
    }
    const target = await this.decide();
    this.answers.clear();
    try {
      await target.executeScript(script);
    } catch (error) {
      this.failed = true;
      throw error;
    }
    this.ran.push(hash);
  }

  private decide(): Promise<SqlDriverAdapter> {
    if (this.target) return Promise.resolve(this.target);
    this.deciding ??= this.choose();
    return this.deciding;
  }

  private async choose(): Promise<SqlDriverAdapter> {
    const cached = this.cached!;
    if (this.matched.length === cached.scripts.length) {
      this.ran = [...cached.scripts];
      this.answers = cached.answers ?? new Map();
      this.target = cached.adapter;
      return cached.adapter;
    }
    const fresh = await this.openFresh();
    try {
      for (const script of this.matched) {
        await fresh.executeScript(script);
        this.ran.push(replayedScriptHash(script));
      }
    } catch (error) {
      this.failed = true;
      this.target = fresh;
      throw error;
    }
    this.target = fresh;
    return fresh;
  }
}
