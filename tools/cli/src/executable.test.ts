import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npx weightspace …` as the README tells users to run it after `npm ci && npm run build`: npm
 * links the committed launcher (bin/weightspace.js) at install time, and it runs the built CLI.
 * `npm test` builds before the suites run; without a build this shows as skipped.
 */
const ROOT = join(__dirname, '..', '..', '..');
const built = existsSync(join(ROOT, 'tools', 'cli', 'dist', 'main.js'));
const linked = existsSync(join(ROOT, 'node_modules', '.bin', 'weightspace'));
const npx = (...args: string[]) =>
  spawnSync('npx', ['--no-install', 'weightspace', ...args], { cwd: ROOT, encoding: 'utf8' });

(built && linked ? describe : describe.skip)(
  `npx weightspace${built && linked ? '' : ` (skipped: ${built ? 'npm ci has not linked the bin' : 'the CLI is not built; npm run build'})`}`,
  () => {
    it('--version and list run through the linked launcher', () => {
      const version = (
        JSON.parse(readFileSync(join(ROOT, 'tools', 'cli', 'package.json'), 'utf8')) as { version: string }
      ).version;
      expect(npx('--version')).toMatchObject({ status: 0, stdout: `${version}\n` });
      const list = npx('list');
      expect(list.status).toBe(0);
      expect(list.stdout).toMatch(/^architectures:\n {2}mlp /);
    }, 60_000);

    it('list | head -1 exits 0 with nothing on stderr, five times out of five', async () => {
      const run = () =>
        new Promise<{ code: number | null; stderr: string }>((done) => {
          const child = spawn('npx', ['--no-install', 'weightspace', 'list'], { cwd: ROOT });
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.stdout.once('data', () => child.stdout.destroy());
          child.on('exit', (code) => done({ code, stderr }));
        });
      for (let k = 0; k < 5; k++) expect(await run()).toEqual({ code: 0, stderr: '' });
    }, 120_000);
  },
);
