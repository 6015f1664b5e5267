import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/** How one attempt ended: the endpoint's status, or why there was none. */
export type AttemptOutcome = { statusCode: number; error?: string } | { statusCode?: undefined; error: string };

export interface OutboundPolicy {
  timeoutMs: number;
  /** Hosts (lower case, as in the URL) that may resolve to private, loopback or link-local addresses. */
  allowHosts: readonly string[];
}

/**
 * Addresses a webhook must not reach unless allowed: loopback, private (RFC 1918, unique local), link-local
 * (cloud metadata at 169.254.169.254), carrier-grade NAT, unspecified, multicast and reserved ranges.
 */
export function isForbiddenAddress(address: string): boolean {
  const list = new net.BlockList();
  for (const [prefix, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3]] as const) {
    list.addSubnet(prefix, bits, 'ipv4');
  }
  for (const [prefix, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) list.addSubnet(prefix, bits, 'ipv6');
  if (net.isIPv6(address)) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return list.check(mapped[1], 'ipv4');
    return list.check(address, 'ipv6');
  }
  return list.check(address, 'ipv4');
}

/**
 * The address to connect to: every address the host resolves to is checked (one bad answer refuses the
 * host), and the connection goes to a checked one, so a second DNS answer cannot swap in another.
 */
async function resolveAllowed(hostname: string, policy: OutboundPolicy): Promise<{ address: string; family: number }> {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const allowed = policy.allowHosts.includes(host);
  const addresses = net.isIP(host) ? [{ address: host, family: net.isIPv6(host) ? 6 : 4 }] : await dns.promises.lookup(host, { all: true });
  if (addresses.length === 0) throw new Error(`${host} does not resolve`);
  if (!allowed) {
    const bad = addresses.find((entry) => isForbiddenAddress(entry.address));
    if (bad) throw new Error(`refused: ${host} resolves to a private, loopback or link-local address (add it to WEBHOOK_ALLOW_HOSTS to allow)`);
  }
  return addresses[0];
}

/**
 * One POST of a delivery. Redirects are never followed (a 3xx is a failed attempt, so a delivery cannot be
 * bounced to another host); the whole attempt, connecting included, ends after `timeoutMs`; the response
 * body is read and dropped (at most 64 KiB), never stored.
 */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, policy: OutboundPolicy): Promise<AttemptOutcome> {
  const target = new URL(url);
  let resolved: { address: string; family: number };
  try {
    resolved = await resolveAllowed(target.hostname, policy);
  } catch (error) {
    return { error: (error as Error).message };
  }
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<AttemptOutcome>((resolve) => {
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body).toString() },
        // Connect to the address that was checked; TLS still verifies the certificate against the host name.
        lookup: (_hostname, options, callback) => {
          if ((options as dns.LookupOptions).all) (callback as (e: null, a: dns.LookupAddress[]) => void)(null, [resolved]);
          else (callback as (e: null, a: string, f: number) => void)(null, resolved.address, resolved.family);
        },
        timeout: policy.timeoutMs,
      },
      (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > 65_536) response.destroy();
        });
        const status = response.statusCode ?? 0;
        const done = () => resolve(status >= 200 && status < 300 ? { statusCode: status } : { statusCode: status, error: status >= 300 && status < 400 ? 'redirects are not followed' : `HTTP ${status}` });
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${policy.timeoutMs} ms`)), policy.timeoutMs);
    request.on('timeout', () => request.destroy(new Error(`no answer within ${policy.timeoutMs} ms`)));
    request.on('error', (error) => resolve({ error: error.message }));
    request.on('close', () => clearTimeout(timer));
    request.end(body);
  });
}
