# A later step's long-running Python tool: one boto3 session making calls through a profile. It makes
# `before` calls, prints "ready" and waits for a line on stdin (the test moves the session past its
# refresh point meanwhile), then makes `after` calls. Prints, as JSON, the access key each call was
# signed with (read from the request as sent) and what STS answered.
import json
import sys

import boto3

profile, endpoint, before, after = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
session = boto3.Session(profile_name=profile)
sts = session.client('sts', endpoint_url=endpoint)
keys = []
sts.meta.events.register(
    'before-send.sts.GetCallerIdentity',
    lambda request, **_: keys.append(request.headers['Authorization'].decode().split('Credential=')[1].split('/')[0]),
)
arns = [sts.get_caller_identity()['Arn'] for _ in range(before)]
print('ready', flush=True)
sys.stdin.readline()
arns += [sts.get_caller_identity()['Arn'] for _ in range(after)]
print(json.dumps({'keys': keys, 'arns': arns}), flush=True)
