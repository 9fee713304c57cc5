// The conventions every `slotcp` command keeps: --help on stdout with status 0, usage
// errors on stderr with status 2, --version, --name=value and --name value alike, and a
// "did you mean" for a mistyped command or flag.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closest, editDistance } from '../host/args';
import { ServeOptions, parseServeArgs } from '../host/serve/options';
import { ROOT, SLOTCP, runCommand } from './interop-harness';

// Not under npm (npx and npm test set npm_lifecycle_event, which adds a hint about --).
const slotcp = (...args: string[]) => runCommand(process.execPath, [SLOTCP, ...args], 10000, { npm_lifecycle_event: '' });

describe('slotcp command line', function () {
  this.timeout(30000);

  it('prints help on stdout with status 0: top level and each command', async () => {
    const runs = await Promise.all([
      slotcp('--help'), slotcp('-h'), slotcp('help'),
      slotcp('serve', '--help'), slotcp('tun', '-h'), slotcp('pkt', '--help'), slotcp('memory', '--help'),
      slotcp('help', 'serve'), slotcp('serve', '--slots', '0', '--help'),
    ]);
    for (const r of runs) assert.deepEqual([r.code, r.stderr], [0, ''], r.stdout);
    for (const r of runs.slice(0, 3)) assert.match(r.stdout, /^usage: slotcp COMMAND .*\n {2}slotcp pkt .*\n {2}slotcp memory .*\n {2}slotcp serve .*\n {2}slotcp tun /);
    assert.equal(runs[0].stdout, runs[2].stdout);
    for (const [i, command] of [[3, 'serve'], [4, 'tun'], [5, 'pkt'], [6, 'memory'], [7, 'serve'], [8, 'serve']] as const) {
      assert.match(runs[i].stdout, new RegExp(`^usage: slotcp ${command} `));
    }
    assert.match(runs[3].stdout, /\[--overwrite\]/);
  });

  it('prints the version from package.json', async () => {
    const r = await slotcp('--version');
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, `slotcp ${version}\n`, '']);
  });

  it('puts usage errors on stderr with status 2, with a suggestion for a typo', async () => {
    const cases: [string[], RegExp][] = [
      [[], /^slotcp: no command given\nusage: slotcp COMMAND/],
      [['serv'], /^slotcp: unknown command 'serv' \(did you mean 'serve'\?\)\nusage:/],
      [['frobnicate'], /^slotcp: unknown command 'frobnicate'\nusage:/],
      [['--verison'], /^slotcp: unknown flag '--verison' \(did you mean '--version'\?\)/],
      [['help', 'memroy'], /^slotcp help: unknown command 'memroy' \(did you mean 'memory'\?\)/],
      [['serve', '--slot', '4'], /^slotcp serve: unknown flag '--slot' \(did you mean '--slots'\?\)\nusage: slotcp serve /],
      [['serve', '--overwrit'], /^slotcp serve: unknown flag '--overwrit' \(did you mean '--overwrite'\?\)/],
      [['serve', '--overwrite=yes'], /^slotcp serve: --overwrite takes no value, got '--overwrite=yes'\n$/],
      [['serve', 'extra'], /^slotcp serve: unexpected argument 'extra'\nusage: slotcp serve /],
      [['tun', '--netns'], /^slotcp tun: --netns needs a value\n$/],
      [['memory', '--slotz=4'], /^slotcp memory: unknown flag '--slotz' \(did you mean '--slots'\?\)\nusage: slotcp memory/],
      [['memory', '--rx'], /^slotcp memory: --rx needs a value\n$/],
      [['memory', '--rx', 'lots'], /^slotcp memory: --rx needs an integer, got 'lots'\n$/],
      [['memory', 'x'], /^slotcp memory: unexpected argument 'x'/],
      [['pkt'], /^slotcp pkt: no script given\nusage: slotcp pkt/],
      [['pkt', '--bogus', 'a.pkt'], /^slotcp pkt: unknown flag '--bogus'\nusage: slotcp pkt/],
    ];
    const runs = await Promise.all(cases.map(([args]) => slotcp(...args)));
    runs.forEach((r, i) => {
      const args = cases[i][0].join(' ');
      assert.equal(r.code, 2, `${args}: ${r.stderr}`);
      assert.equal(r.stdout, '', args);
      assert.match(r.stderr, cases[i][1], args);
    });
  });

  it('says where the flags went when npm ate them (npm start --slots 4)', async () => {
    const r = await runCommand(process.execPath, [SLOTCP, 'tun', '4'], 10000, { npm_lifecycle_event: 'start' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^slotcp tun: unexpected argument '4' \(under npm, flags reach slotcp only after --: npm start -- --slots 4\)\n/);
  });

  it('takes --name=value and --name value alike (memory; serve and tun are pinned in serve.test)', async () => {
    const [a, b] = await Promise.all([slotcp('memory', '--slots=8', '--rx', '5840', '--tx=5840', '--mss', '1460', '--timewait=64'),
      slotcp('memory', '--slots', '8', '--rx=5840', '--tx', '5840', '--mss=1460', '--timewait', '64')]);
    assert.deepEqual([a.code, b.code], [0, 0], a.stderr + b.stderr);
    assert.match(a.stdout, /^8 slots x \d+ B/);
    assert.equal(a.stdout, b.stdout);
  });

  it('hands serve every tun flag but --netns, each as --name=value', () => {
    const o = parseServeArgs(['--netns', 'x', '--slots', '4', '--listen=7:echo', '--listen', '9:discard', '--overwrite', '--stats', 'a b.json'], 'tun') as ServeOptions;
    assert.deepEqual(o.forward, ['--slots=4', '--listen=7:echo', '--listen=9:discard', '--overwrite', '--stats=a b.json']);
    assert.equal(o.overwrite, true);
    assert.throws(() => parseServeArgs(['--', '--slots'], 'serve'), /unexpected argument '--slots'/, 'after --, nothing is a flag');
  });

  it('suggests only near misses', () => {
    assert.deepEqual([editDistance('', 'abc'), editDistance('kitten', 'sitting'), editDistance('serve', 'serve'), editDistance('tnu', 'tun')], [3, 3, 0, 1]);
    assert.equal(closest('--slot', ['--slots', '--stats']), '--slots');
    assert.equal(closest('tnu', ['tun', 'pkt']), 'tun');
    assert.equal(closest('xyz', ['tun', 'pkt']), undefined);
    assert.equal(closest('--x', ['--rx', '--tx']), '--rx', 'one edit in three characters');
    assert.equal(closest('ab', ['cd']), undefined);
  });
});
