import type { FastifyReply } from 'fastify';

/**
 * Answers a file (CSV text or PDF bytes) from a route whose JSON response is typed by its schema:
 * a string or Buffer with its own content type is sent as is, never serialized as JSON.
 */
export function sendFile(reply: unknown, contentType: string, filename: string, body: string | Buffer): FastifyReply {
  const raw = reply as FastifyReply;
  return raw.header('content-type', contentType).header('content-disposition', `attachment; filename="${filename}"`).send(body);
}
