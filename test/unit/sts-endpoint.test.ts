// The one STS endpoint the step chooses, for itself and the credential helper: never from a config file.
import { describe, expect, it } from '@jest/globals';
import { chosenEndpoint } from '../../src/sts-endpoint.ts';

describe('chosenEndpoint', () => {
  it.each([
    ['the input, over the variables', 'https://input.test', { AWS_ENDPOINT_URL_STS: 'https://sts.test', AWS_ENDPOINT_URL: 'https://all.test' }, 'https://input.test'],
    ['AWS_ENDPOINT_URL_STS, over AWS_ENDPOINT_URL', undefined, { AWS_ENDPOINT_URL_STS: 'https://sts.test', AWS_ENDPOINT_URL: 'https://all.test' }, 'https://sts.test'],
    ['AWS_ENDPOINT_URL', undefined, { AWS_ENDPOINT_URL_STS: '', AWS_ENDPOINT_URL: 'https://all.test' }, 'https://all.test'],
    ['no variable when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true', undefined, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true', AWS_ENDPOINT_URL_STS: 'https://sts.test' }, undefined],
    ['nothing from a config file (the region’s endpoint)', undefined, { AWS_CONFIG_FILE: '/tmp/config', AWS_PROFILE: 'elsewhere' }, undefined],
  ])('takes %s', (_, input, env, expected) => {
    expect(chosenEndpoint(input, env)).toBe(expected);
  });
});
