// The floor the main step is measured against: a bare Node script that does only the two HTTP calls
// (GitHub's token endpoint, then STS) and writes the three credentials to GITHUB_ENV. No validation, no
// retries, no masking: what any credential step must at least cost.
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import process from 'node:process';
import { URLSearchParams } from 'node:url';

const call = (url, options, body) =>
  new Promise((resolve, reject) => {
    const req = http.request(url, options, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve(data));
    });
    req.on('error', reject);
    req.end(body);
  });

const env = process.env;
const token = JSON.parse(await call(`${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=sts.amazonaws.com`, { headers: { Authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` } })).value;
const form = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: env['INPUT_ROLE-TO-ASSUME'], RoleSessionName: 'GitHubActions', WebIdentityToken: token });
const xml = await call(env.AWS_ENDPOINT_URL_STS, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, form.toString());
const pick = (tag) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)[1];
appendFileSync(env.GITHUB_ENV, `AWS_ACCESS_KEY_ID=${pick('AccessKeyId')}\nAWS_SECRET_ACCESS_KEY=${pick('SecretAccessKey')}\nAWS_SESSION_TOKEN=${pick('SessionToken')}\n`);
