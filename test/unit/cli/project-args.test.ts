// The options plan, render and validate share, parsed in one place.
import { describe, expect, it } from 'vitest';
import { defaultProjectArgs, parseProjectArgs, unknownOption } from '../../../src/cli/project-args.js';

function parse(args: string[]) {
  const out = defaultProjectArgs();
  const own: string[] = [];
  const problem = parseProjectArgs(args, out, (flag, value) => {
    if (flag === '--own') {
      own.push(value());
      return undefined;
    }
    return unknownOption(flag);
  });
  return { problem, out, own };
}

describe('parseProjectArgs', () => {
  it('reads the shared options and hands the rest to the command', () => {
    const r = parse(['-f', 'a.yaml', '--dir', 'proj', '--env', 'A=1=2', '--werf-env', 'prod', '--own', 'x']);
    expect(r.problem).toBeUndefined();
    expect(r.out).toEqual({
      file: 'a.yaml',
      dir: 'proj',
      env: { A: '1=2' },
      werfEnv: 'prod',
      looseEnv: false,
      looseGiterminism: false,
    });
    expect(r.own).toEqual(['x']);
    const loose = parse(['--loose-env', '--loose-giterminism']).out;
    expect([loose.looseEnv, loose.looseGiterminism]).toEqual([true, true]);
  });

  it('reads werf.yaml from --dir when no -f is given, and keeps an explicit -f', () => {
    expect(parse(['--dir', 'proj']).out.file).toBe('proj/werf.yaml');
    expect(parse(['--dir', 'proj', '-f', 'x.yaml']).out.file).toBe('x.yaml');
    expect(parse(['-f', 'x.yaml', '--dir', 'proj']).out.file).toBe('x.yaml');
    expect(parse([]).out.file).toBe('werf.yaml');
  });

  it('names the option that lacks a value, a bad K=V and an unknown option', () => {
    expect(parse(['--dir']).problem).toBe('--dir needs a value');
    expect(parse(['--own']).problem).toBe('--own needs a value');
    expect(parse(['--env', '=v']).problem).toBe('--env expects K=V, got "=v"');
    expect(parse(['--nope']).problem).toBe('unknown option "--nope"');
  });
});
