/** Where the NATS consumer reads and writes (ServerConfig.nats plus the server's URL). */
export interface NatsSettings {
  /** The server, or several comma-separated (the nodes of a cluster, tried in turn). */
  readonly url: string;
  /** The JetStream stream holding `<prefix>.*.events` and `<prefix>.*.rejected`. */
  readonly stream: string;
  /** First subject token: events arrive on `<prefix>.<tenant>.events`. */
  readonly subjectPrefix: string;
  /** The durable pull consumer shared by every fenyong instance. */
  readonly durable: string;
  /** How long a delivered message may stay unacknowledged before JetStream redelivers it. */
  readonly ackWaitMs: number;
  /** Copies of the stream when fenyong creates it (default 1; 3 on a 3-node cluster). */
  readonly replicas?: number;
}

/** The server URLs of a setting (comma-separated). */
export function natsServers(url: string): string[] {
  return url
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server.length > 0);
}

export const eventsSubject = (prefix: string, tenant: string): string => `${prefix}.${tenant}.events`;
export const rejectedSubject = (prefix: string, tenant: string): string => `${prefix}.${tenant}.rejected`;

/** The tenant of an events subject (its middle token), or null for any other subject. */
export function tenantOfSubject(prefix: string, subject: string): string | null {
  const tokens = subject.split('.');
  return tokens.length === 3 && tokens[0] === prefix && tokens[2] === 'events' && tokens[1]!.length > 0 ? tokens[1]! : null;
}
