// action.yml, the config parser and the README must describe the same inputs and outputs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { INPUT_NAMES } from '../../src/config.ts';

const actionYml = readFileSync(new URL('../../action.yml', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function section(name: 'inputs' | 'outputs'): string[] {
  const body = actionYml.split(new RegExp(`^${name}:\\n`, 'm'))[1]?.split(/^\S/m)[0] ?? '';
  return [...body.matchAll(/^ {2}([\w-]+):$/gm)].map((m) => m[1] ?? '');
}

function readmeTable(heading: string): string[] {
  const body = readme.split(`## ${heading}\n`)[1]?.split(/^## /m)[0] ?? '';
  return [...body.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1] ?? '');
}

describe('documentation stays in step with action.yml', () => {
  it('declares exactly the inputs the parser reads', () => {
    expect(section('inputs').sort()).toEqual([...INPUT_NAMES].sort());
  });

  it('documents every input and output in the README tables, in action.yml order', () => {
    expect(readmeTable('Inputs')).toEqual(section('inputs'));
    expect(readmeTable('Outputs')).toEqual(section('outputs'));
  });

  it('says exactly what is masked: not the credentials profiles refresh in later steps', () => {
    expect(readme).not.toMatch(/masks every credential before anything can print it/);
    const section = (readme.split('### What is masked, and when\n')[1]?.split(/^#/m)[0] ?? '').replace(/\s+/g, ' ');
    expect(section).toContain('Not masked: credentials a profile\'s helper obtains in a later step');
    expect(section).toContain('neither the action nor the helper ever prints them');
  });

  it('runs on node24 with an always-run post step', () => {
    expect(actionYml).toMatch(/using: 'node24'/);
    expect(actionYml).toMatch(/post-if: 'always\(\)'/);
  });
});
