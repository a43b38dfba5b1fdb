/**
 * 1. What SaasusMfaProvider adds on top of the request an app would make anyway: MfaClient.getStatus and .verify
 * against a real loopback server, versus a bare axios request signed with the SDK's own signer (from its source: the
 * signer is not a public export), to the same
 * server, in the same run. Calls alternate in blocks (ABBA) so both sides see the same machine load.
 */
import { randomBytes } from 'node:crypto';
import axios from 'axios';
import { MfaClient } from 'saasus-mfa';
import { SaasusMfaProvider } from 'saasus-mfa/saasus';
import { saasusAuthorization } from '../../src/saasus/signer.js';
import { startChildServer } from '../lib/child.js';
import { type BenchOptions, scale } from '../lib/options.js';
import { Section, ratioOf } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import { cpuMicros } from '../lib/timing.js';

const credentials = { saasId: 'bench-saas', apiKey: 'bench-api-key', secretKey: randomBytes(16).toString('hex') };

interface Side {
  latencyMs: number[];
  /** The median latency of each block, to pair with the other side's block of the same round. */
  blockMedians: number[];
  cpuMicrosPerCall: number[];
}

/** K calls in a row, each timed, and the CPU this process spent on the whole block, per call. */
async function block(calls: number, call: () => Promise<unknown>, into: Side): Promise<void> {
  const latencies: number[] = [];
  const cpu = await cpuMicros(async () => {
    for (let i = 0; i < calls; i++) {
      const started = performance.now();
      await call();
      latencies.push(performance.now() - started);
    }
  });
  into.latencyMs.push(...latencies);
  into.blockMedians.push(summarize(latencies).median);
  into.cpuMicrosPerCall.push(cpu / calls);
}

export async function saasusOverhead(options: BenchOptions): Promise<Section> {
  const section = new Section('saasus', '1. SaaSus provider overhead (loopback server in another process)');
  const server = await startChildServer(new URL('./fake-saasus-server.ts', import.meta.url), {
    BENCH_SAASUS_SAAS_ID: credentials.saasId,
    BENCH_SAASUS_API_KEY: credentials.apiKey,
    BENCH_SAASUS_SECRET_KEY: credentials.secretKey,
  });
  try {
    const baseUrl = `http://127.0.0.1:${server.port}`;
    const mfa = new MfaClient({
      provider: new SaasusMfaProvider({ ...credentials, baseUrl, env: {} }),
      issuer: 'Bench',
    });
    const user = { id: 'bench-user' };
    const ctx = { accessToken: 'bench-access-token' };

    // The baseline: what an app would write by hand with axios and the same signer (axios.create(), like the SDK).
    const bare = axios.create();
    const preferenceUrl = `${baseUrl}/v1/auth/users/${user.id}/mfa/preference`;
    const tokenUrl = `${baseUrl}/v1/auth/users/${user.id}/mfa/software-token`;
    const bareGetStatus = async () => {
      const authorization = saasusAuthorization(credentials, {
        method: 'GET',
        url: preferenceUrl,
        body: '',
        now: new Date(),
      });
      const { data } = await bare.get<{ enabled: boolean }>(preferenceUrl, {
        headers: { Authorization: authorization },
      });
      if (data.enabled !== true) throw new Error('unexpected preference');
    };
    const bareVerify = async () => {
      const body = JSON.stringify({ access_token: ctx.accessToken, verification_code: '123456' });
      const authorization = saasusAuthorization(credentials, { method: 'PUT', url: tokenUrl, body, now: new Date() });
      await bare.put(tokenUrl, body, { headers: { Authorization: authorization, 'Content-Type': 'application/json' } });
    };
    const sdkGetStatus = async () => {
      const status = await mfa.getStatus(user, ctx);
      if (status.enabled !== true) throw new Error('unexpected status');
    };
    const sdkVerify = () => mfa.verify(user, '123456', ctx);

    const rounds = scale(options, 4, 24);
    const calls = scale(options, 10, 150);
    for (const [name, sdk, baseline] of [
      ['getStatus', sdkGetStatus, bareGetStatus],
      ['verify', sdkVerify, bareVerify],
    ] as const) {
      // Warm-up: JIT, sockets in the keep-alive pool on both sides.
      for (let i = 0; i < calls; i++) {
        await sdk();
        await baseline();
      }
      const sdkSide: Side = { latencyMs: [], blockMedians: [], cpuMicrosPerCall: [] };
      const bareSide: Side = { latencyMs: [], blockMedians: [], cpuMicrosPerCall: [] };
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? [0, 1] : [1, 0];
        for (const which of order) {
          if (which === 0) await block(calls, sdk, sdkSide);
          else await block(calls, baseline, bareSide);
        }
      }
      const sdkLatency = section.figure(
        `${name}.sdk.latency`,
        `MfaClient.${name} latency`,
        'ms',
        'lower',
        sdkSide.latencyMs,
      );
      const bareLatency = section.figure(
        `${name}.bare.latency`,
        `bare signed axios (${name}) latency`,
        'ms',
        'lower',
        bareSide.latencyMs,
      );
      const sdkCpu = section.figure(
        `${name}.sdk.cpu`,
        `MfaClient.${name} CPU per call`,
        'µs',
        'lower',
        sdkSide.cpuMicrosPerCall,
      );
      const bareCpu = section.figure(
        `${name}.bare.cpu`,
        `bare signed axios (${name}) CPU per call`,
        'µs',
        'lower',
        bareSide.cpuMicrosPerCall,
      );
      section.compare(
        `${name}.latency-ratio`,
        `${name}: SDK / bare latency (ratio of the medians)`,
        ratioOf(sdkLatency, bareLatency),
        { op: '<=', target: 1.05 },
      );
      section.comparePaired(
        `${name}.latency-ratio.paired`,
        `${name}: SDK / bare latency (paired blocks, median of each)`,
        sdkSide.blockMedians,
        bareSide.blockMedians,
      );
      section.compare(
        `${name}.cpu-ratio`,
        `${name}: SDK / bare CPU per call (ratio of the medians)`,
        ratioOf(sdkCpu, bareCpu),
      );
      section.comparePaired(
        `${name}.cpu-ratio.paired`,
        `${name}: SDK / bare CPU per call (paired blocks)`,
        sdkSide.cpuMicrosPerCall,
        bareSide.cpuMicrosPerCall,
      );
    }
  } finally {
    await server.close();
  }
  return section;
}
