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

  it('runs on node24 with a post step that runs after failures too, unless AWS_SKIP_CLEANUP_STEP is true', () => {
    expect(actionYml).toMatch(/using: 'node24'/);
    expect(actionYml).toMatch(/post-if: "always\(\) && env\.AWS_SKIP_CLEANUP_STEP != 'true'"/);
  });
});
