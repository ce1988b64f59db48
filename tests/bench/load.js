// HTTP load generator for the bench, run as its own process so that the server under test does not share its
// event loop with the client: CLIENTS keep-alive connections each send GET PATH and wait for the whole answer
// before the next (one request in flight per client, no pipelining), for DURATION_MS. The result (requests per
// second, p50/p99 latency in ms, and the generator's own CPU per request) is printed as JSON.
//
// It writes each request as prepared bytes on a plain socket and reads the answer by its Content-Length, as load
// tools do, instead of going through Node's HTTP client: on two cores the generator shares the machine with the
// server and the database, and Node's client costs about as much CPU per request as the server's whole request
// path, which the figures would otherwise charge to the server. Every answer's status is checked, and the first
// one's body must be JSON.
const net = require('node:net');

const { PORT, PATH, COOKIE = '', CLIENTS = '1', DURATION_MS = '3000' } = process.env;
const HEAD_END = Buffer.from('\r\n\r\n');
const request = Buffer.from(
  `GET ${PATH} HTTP/1.1\r\nHost: 127.0.0.1:${PORT}\r\nAccept: application/json\r\n${COOKIE ? `Cookie: ${COOKIE}\r\n` : ''}Connection: keep-alive\r\n\r\n`,
);

/** One keep-alive connection: `get()` sends the request and resolves with the answer's body once it is complete. */
function connection() {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(PORT), '127.0.0.1');
    socket.setNoDelay(true);
    let buffered = Buffer.alloc(0);
    let waiting = null;
    const fail = (error) => {
      if (waiting) waiting.reject(error);
      else reject(error);
      socket.destroy();
    };
    socket.on('error', fail);
    socket.on('close', () => waiting && waiting.reject(new Error(`${PATH}: the server closed the connection`)));
    socket.on('data', (chunk) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const headEnd = buffered.indexOf(HEAD_END);
      if (headEnd < 0 || !waiting) return;
      const head = buffered.subarray(0, headEnd).toString('latin1');
      const status = Number(head.slice(9, 12));
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!length) return fail(new Error(`${PATH}: answered without Content-Length (${head.split('\r\n')[0]})`));
      const end = headEnd + 4 + Number(length[1]);
      if (buffered.length < end) return;
      const body = buffered.subarray(headEnd + 4, end);
      buffered = buffered.subarray(end);
      const { resolve: done, reject: refuse } = waiting;
      waiting = null;
      if (status === 200) done(body);
      else refuse(new Error(`${PATH}: ${status} ${body.toString('utf8').slice(0, 200)}`));
    });
    socket.once('connect', () =>
      resolve({
        get: () =>
          new Promise((done, refuse) => {
            waiting = { resolve: done, reject: refuse };
            socket.write(request);
          }),
        close: () => socket.end(),
      }),
    );
  });
}

(async () => {
  const clients = await Promise.all(Array.from({ length: Number(CLIENTS) }, connection));
  JSON.parse((await clients[0].get()).toString('utf8')); // the path answers JSON, not an error page
  const latencies = [];
  const cpu = process.cpuUsage();
  const started = Date.now();
  const deadline = started + Number(DURATION_MS);
  await Promise.all(
    clients.map(async (client) => {
      while (Date.now() < deadline) {
        const t0 = process.hrtime.bigint();
        await client.get();
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const elapsed = Date.now() - started;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  process.stdout.write(
    JSON.stringify({
      perSecond: (latencies.length * 1000) / elapsed,
      p50: pick(0.5),
      p99: pick(0.99),
      clientCpuMicrosPerRequest: (used.user + used.system) / Math.max(1, latencies.length),
    }),
  );
  clients.forEach((client) => client.close());
})().catch((error) => {
  process.stderr.write(String(error.stack ?? error));
  process.exit(1);
});
