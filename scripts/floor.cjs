// The floor the main step is measured against: a bare Node script that does only the two HTTPS calls, one
// after the other (GitHub's token endpoint, then STS, each on a connection of its own, as a naive script
// makes them), and writes the three credentials to GITHUB_ENV. No validation, no retries, no timeouts, no
// masking, no proxy, nothing done while it waits: what any credential step must at least cost. CommonJS
// on purpose: an ES `import` of node:https loads Node's fetch stack (undici), which `require` does not,
// and the floor must not pay for it.
'use strict';
const { appendFileSync } = require('node:fs');
const https = require('node:https');

const call = (url, options, body, done) => {
  const req = https.request(url, options, (res) => {
    let data = '';
    res.on('data', (c) => (data += c));
    res.on('end', () => done(data));
  });
  req.on('error', (error) => {
    throw error;
  });
  req.end(body);
};

const env = process.env;
call(`${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=sts.amazonaws.com`, { headers: { Authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` } }, undefined, (json) => {
  const form = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: env['INPUT_ROLE-TO-ASSUME'], RoleSessionName: 'GitHubActions', WebIdentityToken: JSON.parse(json).value });
  call(env.AWS_ENDPOINT_URL_STS, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, form.toString(), (xml) => {
    const pick = (tag) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)[1];
    appendFileSync(env.GITHUB_ENV, `AWS_ACCESS_KEY_ID=${pick('AccessKeyId')}\nAWS_SECRET_ACCESS_KEY=${pick('SecretAccessKey')}\nAWS_SESSION_TOKEN=${pick('SessionToken')}\n`);
  });
});
