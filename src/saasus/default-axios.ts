import type { AxiosInstance, AxiosStatic } from 'axios';

/**
 * axios's fetch-only build, for Deno: the default (Node) build imports https-proxy-agent, whose `debug` reads all of
 * `process.env` when it loads, which Deno without `--allow-env` refuses. A variable, so bundlers for other targets
 * (Workers take axios's browser build anyway) do not pull it in twice.
 */
const FETCH_BUILD = 'axios/dist/browser/axios.cjs';

/**
 * The private axios instance the transport uses when the app passes none. Loaded on the first request, never at
 * import: importing `saasus-mfa/saasus` must not run axios's import-time code (the environment read above).
 */
export async function createDefaultAxios(): Promise<AxiosInstance> {
  if ('Deno' in globalThis) {
    const fetchBuild = (await import(FETCH_BUILD)) as { default?: AxiosStatic } & AxiosStatic;
    return (fetchBuild.default ?? fetchBuild).create({ adapter: 'fetch' });
  }
  const { default: axios } = await import('axios');
  return axios.create();
}
