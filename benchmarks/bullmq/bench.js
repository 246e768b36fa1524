// BullMQ baseline for benchmarks/jobs: enqueue N noop jobs (addBulk, 1000 per call), then process them
// with one Worker at the given concurrency; prints one JSON line with both rates. A warm-up of W jobs
// goes through the same steps first, on a queue of its own, as the Java side's run does.
// Usage: node bench.js <redis port> [jobs] [concurrency] [warm-up jobs] [payload padding, characters]
const { Queue, Worker } = require('bullmq');
const { Redis } = require('ioredis');

async function main() {
  const port = Number(process.argv[2]);
  const total = Number(process.argv[3] || 100000);
  const concurrency = Number(process.argv[4] || 50);
  const warmup = Number(process.argv[5] || 0);
  const pad = 'x'.repeat(Number(process.argv[6] || 0));
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  if (warmup > 0) {
    const warm = new Queue('warm-' + Date.now(), { connection });
    await warm.waitUntilReady();
    await run(warm, warmup, concurrency, connection, pad);
    await warm.obliterate({ force: true });
    await warm.close();
  }
  const queue = new Queue('bench-' + Date.now(), { connection });
  await queue.waitUntilReady();
  // a connection of its own reads the server's counters, as JobsBenchmark's does for ours
  const admin = new Redis({ host: '127.0.0.1', port });
  const before = await counters(admin);
  const { enqueueSeconds, processSeconds, clientCpuMicrosPerProcessedJob, redisCpuSecondsProcessing } = await run(queue, total, concurrency, connection, pad, admin);
  const after = await counters(admin);
  admin.disconnect();
  const redis = {};
  for (const name of Object.keys(after)) {
    redis[name] = (after[name] - (before[name] || 0)) / total;
  }
  redis.redisCpuMicrosPerJob = redis.cpuSeconds * 1e6;
  redis.redisCpuMicrosPerProcessedJob = redisCpuSecondsProcessing * 1e6 / total;
  delete redis.cpuSeconds;
  redis.commandsPerJob = Object.keys(redis).filter((k) => k.startsWith('cmd_')).reduce((sum, k) => sum + redis[k], 0);

  // latency from enqueue to start, with an idle worker: one job at a time
  const latencies = [];
  let started;
  const idle = new Worker(queue.name, async (job) => { latencies.push(performance.now() - job.data.sentAt); started(); },
    { connection, concurrency: 1 });
  await idle.waitUntilReady();
  // 1,000 not counted, then 1,000 readings, as JobsBenchmark does for ours
  for (let i = 0; i < 2000; i++) {
    const wait = new Promise((resolve) => { started = resolve; });
    await queue.add('noop', { sentAt: performance.now() }, { removeOnComplete: true });
    await wait;
    if (i < 1000) { latencies.pop(); }
    await new Promise((r) => setTimeout(r, 5));
  }
  await idle.close();
  await queue.obliterate({ force: true });
  await queue.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.max(0, Math.ceil(p / 100 * latencies.length) - 1)];
  console.log(JSON.stringify({ total, concurrency, warmup, enqueueSeconds, processSeconds,
    enqueuePerSecond: total / enqueueSeconds, processPerSecond: total / processSeconds,
    latencyP50Ms: pct(50), latencyP99Ms: pct(99), clientCpuMicrosPerProcessedJob, ...redis }));
}

/**
 * The Redis server's counters so far, as JobsBenchmark reads them for ours: CPU seconds, bytes in and
 * out, and the calls of each command (cmd_<name>).
 */
async function counters(client) {
  const field = (text, name) => Number((text.match(new RegExp('^' + name + ':([0-9.]+)', 'm')) || [])[1] || 0);
  const cpu = await client.info('cpu');
  const stats = await client.info('stats');
  const out = {
    cpuSeconds: field(cpu, 'used_cpu_user') + field(cpu, 'used_cpu_sys'),
    netInBytesPerJob: field(stats, 'total_net_input_bytes'),
    netOutBytesPerJob: field(stats, 'total_net_output_bytes'),
  };
  for (const match of (await client.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    out['cmd_' + match[1].replace('|', '_')] = Number(match[2]);
  }
  return out;
}

/** Enqueues `total` noop jobs, then processes them with one worker; answers both durations. */
async function run(queue, total, concurrency, connection, pad, admin) {
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < total; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(total, i + 1000); j++) {
      batch.push({ name: 'noop', data: pad ? { i: j, pad } : { i: j }, opts: { removeOnComplete: true, removeOnFail: true } });
    }
    await queue.addBulk(batch);
  }
  const enqueueSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  let done = 0;
  let finish;
  const finished = new Promise((resolve) => { finish = resolve; });
  const redis0 = admin ? (await counters(admin)).cpuSeconds : 0;
  t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const worker = new Worker(queue.name, async () => null, { connection, concurrency, autorun: true });
  worker.on('completed', () => { if (++done === total) { finish(); } });
  await finished;
  const processSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const redisCpuSecondsProcessing = admin ? (await counters(admin)).cpuSeconds - redis0 : 0;
  await worker.close();
  return { enqueueSeconds, processSeconds, clientCpuMicrosPerProcessedJob: (cpu.user + cpu.system) / total, redisCpuSecondsProcessing };
}

main().catch((e) => { console.error(e); process.exit(1); });
