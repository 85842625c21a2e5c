// A webhook receiver for the Rust tests: it verifies every delivery with the `standardwebhooks`
// package (an implementation of the specification independent of CarBot's) and answers as told.
//
// It prints `{"port": N}` once it listens. Control (JSON):
//   POST /_control {path, secrets: [...], statuses: [500, 200, ...], retryAfter}
//        — deliveries to `path` are checked against each secret; they are answered with the
//          statuses in turn (the last one repeats; 200 when none is given).
//   GET  /_log — every delivery so far: {path, id, timestamp, signature, body, status,
//        verifiedWith: [indexes of the secrets that verify it], type}
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

const routes = new Map();
const log = [];

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

const server = http.createServer(async (request, response) => {
  const body = await readBody(request);
  const url = new URL(request.url, 'http://receiver');
  if (url.pathname === '/_control') {
    const route = JSON.parse(body);
    routes.set(route.path, { ...route, answered: 0 });
    response.writeHead(204).end();
    return;
  }
  if (url.pathname === '/_log') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(log));
    return;
  }
  const route = routes.get(url.pathname) ?? { secrets: [], statuses: [], answered: 0 };
  const headers = {
    'webhook-id': request.headers['webhook-id'],
    'webhook-timestamp': request.headers['webhook-timestamp'],
    'webhook-signature': request.headers['webhook-signature'],
  };
  const verifiedWith = [];
  (route.secrets ?? []).forEach((secret, index) => {
    try {
      new Webhook(secret).verify(body, headers);
      verifiedWith.push(index);
    } catch {
      // Not signed with this secret (or too old): left out.
    }
  });
  const statuses = route.statuses ?? [];
  const status = statuses.length === 0
    ? 200
    : statuses[Math.min(route.answered, statuses.length - 1)];
  route.answered += 1;
  let type = null;
  try {
    type = JSON.parse(body).type;
  } catch {
    type = null;
  }
  log.push({
    path: url.pathname,
    id: headers['webhook-id'],
    timestamp: headers['webhook-timestamp'],
    signature: headers['webhook-signature'],
    contentType: request.headers['content-type'],
    method: request.method,
    body,
    type,
    status,
    verifiedWith,
  });
  const answer = {};
  if (route.retryAfter !== undefined && (status === 429 || status === 503)) {
    answer['retry-after'] = String(route.retryAfter);
  }
  response.writeHead(status, answer).end(status < 300 ? 'ok' : 'nicht jetzt');
});

server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port }));
});

// Ends with the test that started it (stdin closes when the test's process ends).
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
