import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL primary with one streaming standby, both on loopback ports in a temporary directory, for the
 * durability test. With `synchronous`, the standby is named in `synchronous_standby_names`, so a commit is
 * acknowledged only once the standby has flushed it. Started with the machine's server binaries (initdb,
 * pg_basebackup, pg_ctl); as root, every command runs as the `postgres` user, since PostgreSQL refuses root.
 */
export interface PrimaryWithStandby {
  primaryPort: number;
  standbyPort: number;
  /** `kill -9` of the primary's postmaster: no shutdown checkpoint, nothing more sent to the standby. */
  killPrimary(): Promise<void>;
  /** `pg_ctl promote` of the standby, waiting until it accepts writes. */
  promoteStandby(): Promise<void>;
  /** Stops whatever still runs (by the PIDs in the data directories) and removes the directory. */
  stop(): Promise<void>;
}

/** The newest server binaries under /usr/lib/postgresql, or the reason they are missing. */
export function postgresBinaries(): { dir: string; missing?: undefined } | { missing: string } {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((version) => existsSync(join(root, version, 'bin', 'pg_basebackup')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  return newest === undefined
    ? { missing: `no PostgreSQL server binaries (initdb, pg_basebackup, pg_ctl) under ${root}` }
    : { dir: join(root, newest, 'bin') };
}

const asRoot = process.getuid?.() === 0;

async function asPostgres(bin: string, tool: string, args: string[]): Promise<void> {
  const command = join(bin, tool);
  if (asRoot) await run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 60_000 });
  else await run(command, args, { timeout: 60_000 });
}

function postmasterPid(dataDir: string): number | null {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One initdb per test file (the slowest step), copied for each primary; `removeClusterTemplate()` deletes it. */
let template: Promise<string> | undefined;
let templateDir: string | undefined;
function initializedCluster(bin: string): Promise<string> {
  template ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'saasus-mfa-pg-template-'));
    templateDir = dir;
    await ownedByPostgres(dir);
    const data = join(dir, 'data');
    await asPostgres(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    return data;
  })();
  return template;
}

/** Deletes the initdb template (call it after the last trial of a file). */
export function removeClusterTemplate(): void {
  if (templateDir) rmSync(templateDir, { recursive: true, force: true });
  template = templateDir = undefined;
}

async function ownedByPostgres(dir: string): Promise<void> {
  if (!asRoot) return;
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  chownSync(dir, await id('-u'), await id('-g'));
}

export async function startPrimaryWithStandby(options: {
  bin: string;
  primaryPort: number;
  standbyPort: number;
  synchronous: boolean;
  /** Where the standby streams from (a proxy in front of the primary, to cut replication); default the primary. */
  replicationPort?: number;
  /** Runs a query on the primary (the caller's pg client), to wait for the standby to be streaming. */
  queryPrimary(sql: string): Promise<Array<Record<string, unknown>>>;
}): Promise<PrimaryWithStandby> {
  const { bin, primaryPort, standbyPort } = options;
  const dir = mkdtempSync(join(tmpdir(), 'saasus-mfa-pg-ha-'));
  await ownedByPostgres(dir);
  const primary = join(dir, 'primary');
  const standby = join(dir, 'standby');
  const common = (port: number) =>
    `\nport = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\n`;
  const log = (name: string) => join(dir, `${name}.log`);

  const stop = async () => {
    for (const data of [standby, primary]) {
      const pid = postmasterPid(data);
      if (pid !== null && alive(pid)) {
        await asPostgres(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', 'stop', '-w']).catch(() => {
          if (alive(pid)) process.kill(pid, 'SIGKILL');
        });
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await run('cp', ['-a', await initializedCluster(bin), primary]);
    appendFileSync(
      join(primary, 'postgresql.conf'),
      `${common(primaryPort)}wal_level = replica\nmax_wal_senders = 4\nsynchronous_commit = on\n` +
        (options.synchronous ? "synchronous_standby_names = 'standby1'\n" : ''),
    );
    await asPostgres(bin, 'pg_ctl', ['-D', primary, '-l', log('primary'), 'start', '-w']);
    await asPostgres(bin, 'pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      standby,
      '-X',
      'stream',
    ]);
    appendFileSync(
      join(standby, 'postgresql.conf'),
      `${common(standbyPort)}primary_conninfo = 'host=127.0.0.1 port=${options.replicationPort ?? primaryPort} user=postgres application_name=standby1'\n` +
        // The copied configuration names the standby itself as the synchronous one: once promoted, with no standby
        // of its own, every commit would wait forever. (In production the new primary gets the next standby here.)
        "synchronous_standby_names = ''\n",
    );
    appendFileSync(join(standby, 'standby.signal'), '');
    await asPostgres(bin, 'pg_ctl', ['-D', standby, '-l', log('standby'), 'start', '-w']);
    await until('the standby to stream', async () => {
      const rows = await options.queryPrimary(
        "select sync_state from pg_stat_replication where application_name = 'standby1'",
      );
      return rows.some((row) => row.sync_state === (options.synchronous ? 'sync' : 'async'));
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    primaryPort,
    standbyPort,
    async killPrimary() {
      const pid = postmasterPid(primary);
      if (pid === null) throw new Error('the primary is not running');
      process.kill(pid, 'SIGKILL');
      await until('the primary to die', () => !alive(pid));
    },
    async promoteStandby() {
      await asPostgres(bin, 'pg_ctl', ['-D', standby, 'promote', '-w']);
    },
    stop,
  };
}
