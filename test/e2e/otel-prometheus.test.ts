/**
 * End to end into the tool operations teams run: corepy's op metrics served by
 * @opentelemetry/exporter-prometheus, scraped by a real Prometheus server (Debian's package,
 * installed by scripts/setup.d/60-prometheus.sh), read back through Prometheus's HTTP API.
 * The server runs on a free loopback port with a temporary config and data dir, and is stopped
 * (and its files removed) afterwards.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { after, before, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';

const PROMETHEUS = process.env['PROMETHEUS'] ?? 'prometheus';

/** A port the kernel just handed out on 127.0.0.1 (closed again for the real listener to take). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 250 ms until it returns a value, or fails after `ms` with the last error. */
async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown = 'no answer';
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
      last = 'not yet';
    } catch (e) { last = e; }
    await sleep(250);
  }
  throw new Error(`${what}: gave up after ${ms} ms (${last instanceof Error ? last.message : String(last)})`);
}

interface Sample { metric: Record<string, string>; value: [number, string] }

describe('OpenTelemetry metrics in a real Prometheus', function () {
  let prom: ChildProcess | null = null, exporter: PrometheusExporter, provider: MeterProvider, dir = '', promUrl = '';
  const log: string[] = [];

  before(async function () {
    const version = spawnSync(PROMETHEUS, ['--version'], { encoding: 'utf8' });
    if (version.error || version.status !== 0) {
      throw new Error(`Prometheus not found (${PROMETHEUS}): run bash scripts/setup.sh, which installs Debian's prometheus package`);
    }
    const [exporterPort, promPort] = [await freePort(), await freePort()];
    exporter = new PrometheusExporter({ host: '127.0.0.1', port: exporterPort });
    await exporter.startServer();
    // cp.prometheusViews(): the unit suffixes the OpenTelemetry spec prescribes (the JS exporter adds none).
    provider = new MeterProvider({ readers: [exporter], views: cp.prometheusViews() });
    dir = mkdtempSync(join(tmpdir(), 'corepy-prometheus-'));
    writeFileSync(join(dir, 'prometheus.yml'), [
      'global:', '  scrape_interval: 1s', '  evaluation_interval: 1s',
      'scrape_configs:', '  - job_name: corepy', '    static_configs:', `      - targets: ['127.0.0.1:${exporterPort}']`, '',
    ].join('\n'));
    prom = spawn(PROMETHEUS, [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`, '--web.console.templates=/nonexistent', '--web.console.libraries=/nonexistent',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [prom.stdout!, prom.stderr!]) s.on('data', (d: Buffer) => log.push(d.toString()));
    promUrl = `http://127.0.0.1:${promPort}`;
    await until('Prometheus ready', 60000, async () => {
      if (prom!.exitCode !== null) throw new Error(`prometheus exited ${prom!.exitCode}: ${log.join('').slice(-2000)}`);
      return (await fetch(`${promUrl}/-/ready`)).ok ? true : undefined;
    });
  });

  after(async function () {
    cp.disableOpenTelemetry();
    cp.clearProfile();
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.once('exit', r));
      prom.kill('SIGTERM');
      await Promise.race([exited, sleep(10000)]);
      if (prom.exitCode === null && prom.signalCode === null) prom.kill('SIGKILL');
    }
    await provider?.shutdown(); // stops the exporter's HTTP server too
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes corepy_op_duration_seconds_count with the exact op count and the op/backend/dtype labels', async () => {
    cp.enableOpenTelemetry({ meterProvider: provider, profiling: { callSites: 'off' } });
    const x = cp.keep(cp.ones([1024]));
    const adds = 1234;
    for (let i = 0; i < adds; i++) x.add(x).dispose();
    cp.profileContext('batch', () => x.mul(x).sum().dispose());

    const query = async (q: string): Promise<Sample[]> => {
      const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = await res.json() as { status: string; data: { result: Sample[] }; error?: string };
      if (body.status !== 'success') throw new Error(`query ${q}: ${body.error}`);
      return body.data.result;
    };
    const count = await until('corepy_op_duration_seconds_count in Prometheus', 60000, async () => {
      const r = await query('corepy_op_duration_seconds_count{corepy_op="add"}');
      return r.length > 0 ? r : undefined;
    });
    assert.equal(count.length, 1, 'one series: op, backend and dtype only');
    assert.equal(Number(count[0]!.value[1]), adds, 'the exact number of adds');
    assert.equal(count[0]!.metric['corepy_backend'], 'wasm');
    assert.equal(count[0]!.metric['corepy_dtype'], 'float32');
    assert.equal(count[0]!.metric['job'], 'corepy', 'scraped by this Prometheus');

    // What the guide tells operators to alert on is computable from what was scraped.
    const p95 = await query('histogram_quantile(0.95, sum by (le, corepy_op) (corepy_op_duration_seconds_bucket{corepy_op="add"}))');
    const p95s = Number(p95[0]!.value[1]);
    assert.ok(p95s > 0 && p95s < 10, `p95 of add is a duration in seconds: ${p95s}`);
    const bytes = await query('corepy_op_bytes_total{corepy_op="add"}');
    assert.equal(Number(bytes[0]!.value[1]), adds * 3 * 1024 * 4, 'bytes read + written, as a Prometheus counter');
    const used = await query('corepy_memory_used_bytes{corepy_backend="wasm"}');
    assert.ok(Number(used[0]!.value[1]) >= 4096, 'x is resident on wasm');
    x.dispose();
  });
});
