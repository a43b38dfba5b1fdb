/** One request and its answer, kept so a suite can check every body it received for leaks. */
export interface Exchange {
  method: string;
  path: string;
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
}

export interface CallOptions {
  method?: string;
  idToken?: string;
  accessToken?: string;
  /** Sent as JSON (`Content-Type: application/json`). */
  json?: unknown;
  /** Sent as-is, with whatever Content-Type `headers` says. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A small fetch wrapper speaking like the SaaSus sample front end (Bearer ID token, X-Access-Token, JSON). */
export function exampleHttp(baseUrl: () => string) {
  const exchanges: Exchange[] = [];

  async function call(path: string, options: CallOptions = {}): Promise<Exchange> {
    const headers: Record<string, string> = { 'X-Requested-With': 'XMLHttpRequest', ...options.headers };
    if (options.idToken !== undefined) headers.Authorization = `Bearer ${options.idToken}`;
    if (options.accessToken !== undefined) headers['X-Access-Token'] = options.accessToken;
    let body = options.rawBody;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const method = options.method ?? (body === undefined ? 'GET' : 'POST');
    const response = await fetch(baseUrl() + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const exchange = { method, path, status: response.status, headers: response.headers, text, body: parsed };
    exchanges.push(exchange);
    return exchange;
  }

  return { call, exchanges };
}
