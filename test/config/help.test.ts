/** The help, general and per command, generated from the option schema. */
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../src/config/argv.js';
import { HELP, commandHelp } from '../../src/config/help.js';
import { COMMANDS, PHASES, QUICK_PHASES } from '../../src/config/schema.js';

describe('help per command', () => {
  it('points from the general help to the per-command help', () => {
    expect(HELP).toContain('npm run pipeline <command> -- --help');
    expect(parseCli(['--help'], {})).toEqual({ kind: 'help', text: HELP });
  });

  it.each(COMMANDS.map((c) => [c]))('%s --help shows its usage, options and examples', (command) => {
    const r = parseCli([command, '--help'], {});
    expect(r).toEqual({ kind: 'help', text: commandHelp(command) });
    const text = commandHelp(command);
    expect(text).toContain(`Usage: npm run pipeline ${command}`);
    const options = text.slice(text.indexOf('Options:\n'), text.indexOf('\n\nExamples:')).split('\n').slice(1);
    expect(options.length).toBeGreaterThan(3);
    // Option lines are HELP's own lines (one description per option, in one place), except where the command
    // states its own meaning of a flag (features reads a warehouse: its --start/--end/--regions/--data-dir).
    const own = command === 'features' ? /^ {2}(--(start|end|regions|data-dir) |\s{20,}REGIONS = its regions)/ : null;
    for (const line of options) if (!own?.test(line)) expect(HELP.split('\n')).toContain(line);
    const examples = text.slice(text.indexOf('Examples:\n')).split('\n').slice(1).filter((l) => l.startsWith('  npm run'));
    expect(examples.length).toBeGreaterThan(0);
    for (const ex of examples) {
      // Every example parses: the npm separator `--` is dropped as npm does.
      const argv = ex.trim().split(/\s+/).slice(3).filter((a) => a !== '--');
      expect(argv[0]).toBe(command);
      expect(parseCli(argv, {}).kind, ex).toBe('run');
    }
  });

  it('explains every quick phase: its range, respondents, types and what it is for', () => {
    const text = commandHelp('quick');
    for (const p of PHASES) {
      const q = QUICK_PHASES[p];
      const at = text.indexOf(`  ${p} `);
      expect(at, p).toBeGreaterThan(0);
      const [first, second] = text.slice(at).split('\n');
      expect(first).toContain(`${q.start} → ${q.end}`);
      expect(first).toContain(q.regions.join(','));
      expect(first).toContain(q.types.join(','));
      expect(second.trim().length, `purpose of ${p}`).toBeGreaterThan(40);
    }
    expect(text).toContain('--phase P');
  });
});
