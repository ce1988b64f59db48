// HTTP load generator for the bench, run as its own process so that the server under test does not share its
// event loop with the client: CLIENTS loops issue GET PATH for DURATION_MS over keep-alive connections and the
// result (requests per second, p50/p99 latency in ms) is printed as JSON.
const http = require('node:http');

const { PORT, PATH, COOKIE = '', CLIENTS = '1', DURATION_MS = '3000' } = process.env;
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(CLIENTS) });
const get = () =>
  new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: Number(PORT), path: PATH, headers: COOKIE ? { cookie: COOKIE } : {}, agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${PATH}: ${res.statusCode}`))));
      })
      .on('error', reject);
  });

(async () => {
  for (let i = 0; i < Number(CLIENTS); i++) await get(); // open the connections
  const latencies = [];
  const started = Date.now();
  const deadline = started + Number(DURATION_MS);
  await Promise.all(
    Array.from({ length: Number(CLIENTS) }, async () => {
      while (Date.now() < deadline) {
        const t0 = process.hrtime.bigint();
        await get();
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const elapsed = Date.now() - started;
  latencies.sort((a, b) => a - b);
  const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  process.stdout.write(JSON.stringify({ perSecond: (latencies.length * 1000) / elapsed, p50: pick(0.5), p99: pick(0.99) }));
  agent.destroy();
})().catch((error) => {
  process.stderr.write(String(error.stack ?? error));
  process.exit(1);
});
