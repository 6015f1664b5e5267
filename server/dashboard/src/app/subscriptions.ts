import { createClient, type Client } from 'graphql-ws';
import { storedKey } from './session';

/**
 * A graphql-ws client for the signed-in key, on the same host and path as queries (`/graphql`, ws: or wss: as the
 * page). The key goes in `connectionParams` (the first message on the socket), never in the URL. It reconnects by
 * itself after a deploy or a dropped connection (a few tries, backing off); events missed meanwhile are not replayed.
 */
export function liveClient(onState: (state: 'connecting' | 'connected' | 'closed', detail?: string) => void): Client {
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`;
  return createClient({
    url,
    connectionParams: () => ({ authorization: `Bearer ${storedKey() ?? ''}` }),
    retryAttempts: 5,
    on: {
      connecting: () => onState('connecting'),
      connected: () => onState('connected'),
      closed: (event) => {
        const close = event as { code?: number; reason?: string };
        onState('closed', close.code === 4403 ? 'The server refused this API key.' : close.reason || undefined);
      },
    },
  });
}
