import { PassThrough } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EngineError } from '../../domain/errors.ts';
import {
  batchLines,
  createBatch,
  getBatchHeader,
  listBatches,
  MAX_BATCH_LINES,
  previewBatch,
} from '../../service/payouts/batches.ts';
import { PayoutError, tenantMoney } from '../../service/payouts/common.ts';
import { auditExport, EXPORT_MIME, writeBatchFile, XLSX_MIME, type ExportFormat } from '../../service/payouts/export.ts';
import { importResults, parseResultFile } from '../../service/payouts/import.ts';
import { reconcileBatch } from '../../service/payouts/reconcile.ts';
import { transitionWithdrawal, type Transition } from '../../service/payouts/workflow.ts';
import type { Sql } from '../../store/sql.ts';
import { requireScope } from '../auth.ts';
import { ApiError, engineRefusal, errorResponses } from '../errors.ts';
import type { RouteContext } from '../app.ts';
import { moneyString, optionalAt, type Register, type TypedApp } from '../typed.ts';
import { readWithdrawal, withdrawalView, type WithdrawalView } from '../withdrawal-view.ts';

/**
 * A payout decision the engine refused, as an HTTP error: the withdrawal of the URL never accepted
 * is 404 not_found; one whose status does not allow the step (the engine's `invalid` at
 * `withdrawal`: paid, it can no longer fail) clashes with its state: 409 conflict, like one the
 * payer holds. Anything else by its code.
 */
function transitionRefusal(error: EngineError): ApiError {
  if (error.code === 'invalid' && error.path?.length === 1 && error.path[0] === 'withdrawal')
    return ApiError.of('conflict', error.message, ['withdrawal']);
  return engineRefusal(error, ['withdrawal']);
}

/** Runs a payout operation, answering its PayoutError with the same code and its status. */
export async function payoutCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PayoutError) throw ApiError.of(error.code, error.message, error.path);
    throw error;
  }
}

const transitionReply = z.object({
  status: z.enum(['accepted', 'duplicate']),
  seq: z.number().optional(),
  withdrawal: withdrawalView,
});

const eventId = z.string().min(1).max(200).optional().describe('your event id: makes a retry idempotent');
const reason = z.string().trim().min(1, 'a reason is required').max(500);

const TRANSITIONS: {
  path: string;
  transition: Transition;
  summary: string;
  body: z.ZodObject;
  note: (body: Record<string, string | undefined>) => string | undefined;
}[] = [
  {
    path: 'approve',
    transition: 'approve',
    summary: 'Approve a withdrawal waiting for review (requested → approved)',
    body: z.object({ note: z.string().max(500).optional(), at: optionalAt, id: eventId }),
    note: (b) => b.note,
  },
  {
    path: 'reject',
    transition: 'reject',
    summary: 'Reject a withdrawal (requested or approved → rejected): gross back to available, tax reversed',
    body: z.object({ reason, at: optionalAt, id: eventId }),
    note: (b) => b.reason,
  },
  {
    path: 'paid',
    transition: 'paid',
    summary: 'Record a withdrawal as paid by the payer (approved → paid)',
    body: z.object({
      reference: z.string().max(200).optional().describe("the payer's reference of the transfer"),
      at: optionalAt,
      id: eventId,
    }),
    note: (b) => b.reference,
  },
  {
    path: 'failed',
    transition: 'failed',
    summary: 'Record a payout as failed (approved → failed): gross back to available, tax reversed',
    body: z.object({ reason, at: optionalAt, id: eventId }),
    note: (b) => b.reason,
  },
];

async function withdrawalRow(sql: Sql, tenant: string, id: string): Promise<WithdrawalView | null> {
  const money = await tenantMoney(sql, tenant);
  return readWithdrawal(sql, tenant, id, money.money);
}

const batchHeader = z.object({
  id: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  currency: z.string(),
  status: z.enum(['open', 'closed']),
  lines: z.number(),
  gross: moneyString,
  tax: moneyString,
  net: moneyString,
  counts: z.object({ open: z.number(), paid: z.number(), failed: z.number(), rejected: z.number() }),
  filter: z.object({ members: z.array(z.string()).optional(), max: z.number().optional() }),
});
const lineStatus = z.enum(['open', 'paid', 'failed', 'rejected']);
const batchLine = z.object({
  line: z.number(),
  reference: z.string(),
  withdrawal: z.string(),
  member: z.string(),
  realName: z.string(),
  account: z.string().describe('masked'),
  gross: moneyString,
  tax: moneyString,
  net: moneyString,
  status: lineStatus,
  result: z
    .object({
      status: z.enum(['paid', 'failed']),
      reason: z.string().nullable(),
      payerReference: z.string().nullable(),
      at: z.string(),
    })
    .nullable(),
});
const totals = z.object({ gross: moneyString, tax: moneyString, net: moneyString });
const reconcileReply = z.object({
  batch: z.string(),
  ok: z.boolean(),
  status: z.enum(['open', 'closed']),
  counts: z.object({ open: z.number(), paid: z.number(), failed: z.number(), rejected: z.number() }),
  totals: z.object({
    batch: totals,
    lines: totals,
    ledger: totals,
    paid: totals.extend({ count: z.number(), paidOut: moneyString }),
    failed: totals.extend({ count: z.number(), givenBack: moneyString, taxReversed: moneyString }),
    open: totals.extend({ count: z.number(), outstanding: moneyString }),
  }),
  differences: z.array(
    z.object({
      line: z.number().optional(),
      reference: z.string().optional(),
      withdrawal: z.string().optional(),
      check: z.string(),
      expected: z.string(),
      actual: z.string(),
    }),
  ),
  differenceCount: z.number(),
  lines: z.array(
    z.object({
      line: z.number(),
      reference: z.string(),
      withdrawal: z.string(),
      member: z.string(),
      status: lineStatus,
      result: z.enum(['paid', 'failed']).nullable(),
      gross: moneyString,
      tax: moneyString,
      net: moneyString,
      matched: z.boolean(),
    }),
  ),
});

/** What format an uploaded result file is in: its content type, else its first bytes. */
function uploadFormat(request: FastifyRequest, data: Buffer, asked: ExportFormat | undefined): ExportFormat {
  if (asked) return asked;
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === XLSX_MIME) return 'xlsx';
  if (type === 'text/csv' || type === 'text/plain') return 'csv';
  return data.subarray(0, 2).toString('latin1') === 'PK' ? 'xlsx' : 'csv';
}

/** The payout workflow: withdrawal transitions, payout batches, their files, results and reconciliation. */
export const registerPayouts: Register = (app, context) => {
  registerTransitions(app, context);
  registerPreview(app, context);
  registerCreateBatch(app, context);
  registerListBatches(app, context);
  registerGetBatch(app, context);
  registerExport(app, context);
  // Result files arrive as they are: CSV (text/csv, text/plain) or XLSX (its mime, or octet-stream);
  // the parsers of raw files are registered for this route's scope only.
  void app.register(async (scope) => registerResults(scope.withTypeProvider<ZodTypeProvider>(), context));
  registerReconcile(app, context);
};

const nowIso = (context: RouteContext) => new Date(context.now()).toISOString();

/** POST /v1/withdrawals/:id/approve | reject | paid | failed: one route per transition of TRANSITIONS. */
function registerTransitions(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  for (const route of TRANSITIONS) {
    app.post(
      `/v1/withdrawals/:id/${route.path}`,
      {
        schema: {
          tags: ['payouts'],
          summary: route.summary,
          params: z.object({ id: z.string() }),
          body: route.body,
          response: { 200: transitionReply, ...errorResponses },
        },
      },
      async (request) => {
        const tenant = await requireScope(service.sql, request, 'admin');
        const body = request.body as Record<string, string | undefined>;
        const outcome = await transitionWithdrawal(
          service,
          tenant,
          request.params.id,
          route.transition,
          { note: route.note(body), at: body.at ?? nowIso(context), serverTime: body.at === undefined, id: body.id },
          request.apiKey!.id,
        );
        if (outcome.status === 'on_batch') {
          throw ApiError.of(
            'conflict',
            `withdrawal ${request.params.id} is on payout batch ${outcome.batch} (line ${outcome.reference}); the payer holds it: record its result (paid or failed) by importing the payer's result file (POST /v1/payouts/batches/${outcome.batch}/results)`,
            ['withdrawal'],
          );
        }
        if (outcome.status === 'rejected') throw transitionRefusal(outcome.error);
        const withdrawal = (await withdrawalRow(service.sql, tenant, request.params.id))!;
        return { status: outcome.status, ...(outcome.status === 'accepted' ? { seq: outcome.seq } : {}), withdrawal };
      },
    );
  }
}

function registerPreview(app: TypedApp, { service }: RouteContext): void {
  app.get(
    '/v1/payouts/preview',
    {
      schema: {
        tags: ['payouts'],
        summary:
          'What a payout batch made now would take (lines and totals) and which approved withdrawals it would skip: those of members without payee details, which stay approved and on no batch until their payee details are set (PUT /v1/members/{id}/payee)',
        querystring: z.object({
          members: z
            .preprocess((value) => (typeof value === 'string' ? [value] : value), z.array(z.string()).max(10_000).optional())
            .describe('as POST /v1/payouts/batches takes them: only these members (repeat the parameter for each)'),
          max: z.coerce
            .number()
            .int()
            .min(1)
            .max(MAX_BATCH_LINES)
            .optional()
            .describe('as POST /v1/payouts/batches takes it: at most this many lines'),
          limit: z.coerce.number().int().min(0).max(10_000).default(1000).describe('skipped withdrawals listed'),
        }),
        response: {
          200: z.object({
            currency: z.string(),
            lines: z.number().describe('the lines a batch made now would have'),
            gross: moneyString,
            tax: moneyString,
            net: moneyString,
            skipped: z.object({
              count: z.number().describe('approved withdrawals on no batch whose members have no payee details'),
              gross: moneyString,
              net: moneyString,
              withdrawals: z
                .array(
                  z.object({
                    withdrawal: z.string(),
                    member: z.string(),
                    gross: moneyString,
                    net: moneyString,
                    reason: z.string(),
                  }),
                )
                .describe('the first `limit` of them, oldest first'),
            }),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      return payoutCall(() => previewBatch(service.sql, tenant, request.query));
    },
  );
}

function registerCreateBatch(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.post(
    '/v1/payouts/batches',
    {
      schema: {
        tags: ['payouts'],
        summary:
          'Make a payout batch of the approved withdrawals on no batch yet (oldest first; members without payee details are skipped)',
        body: z
          .object({
            members: z.array(z.string()).min(1).max(10_000).optional().describe('only withdrawals of these members'),
            max: z.number().int().min(1).max(MAX_BATCH_LINES).optional().describe('at most this many lines'),
          })
          .default({}),
        response: {
          201: z.object({
            batch: batchHeader,
            skipped: z.array(z.object({ withdrawal: z.string(), member: z.string(), reason: z.string() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const created = await payoutCall(() => createBatch(service, tenant, request.body, request.apiKey!.id, context.now()));
      return reply.status(201).send(created);
    },
  );
}

function registerListBatches(app: TypedApp, { service }: RouteContext): void {
  app.get(
    '/v1/payouts/batches',
    {
      schema: {
        tags: ['payouts'],
        summary: 'Payout batches, newest first',
        querystring: z.object({
          status: z.enum(['open', 'closed']).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ batches: z.array(batchHeader) }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      return { batches: await payoutCall(() => listBatches(service.sql, tenant, request.query)) };
    },
  );
}

function registerGetBatch(app: TypedApp, { service }: RouteContext): void {
  app.get(
    '/v1/payouts/batches/:id',
    {
      schema: {
        tags: ['payouts'],
        summary: 'A payout batch with its lines (paged by line number)',
        params: z.object({ id: z.string() }),
        querystring: z.object({
          offset: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(10_000).default(1000),
        }),
        response: { 200: z.object({ batch: batchHeader, lines: z.array(batchLine) }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const batch = await payoutCall(() => getBatchHeader(service.sql, tenant, request.params.id));
      if (!batch) throw ApiError.of('not_found', `no payout batch ${request.params.id}`);
      return { batch, lines: await batchLines(service.sql, tenant, batch.id, request.query) };
    },
  );
}

function registerExport(app: TypedApp, { service }: RouteContext): void {
  app.get(
    '/v1/payouts/batches/:id/export',
    {
      schema: {
        tags: ['payouts'],
        summary:
          'The payout file of a batch, CSV (UTF-8) or XLSX: reference, withdrawal, member, real_name, account (masked), gross, tax, net, currency, and empty status, reason, payer_reference for the payer to fill in',
        params: z.object({ id: z.string() }),
        querystring: z.object({ format: z.enum(['csv', 'xlsx']).default('csv') }),
        response: { 200: z.unknown().describe('the file (text/csv or XLSX), streamed'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const { format } = request.query;
      // Checked (404 for no batch) and audited before the file streams: once it streams, no error status can be answered.
      await payoutCall(() => auditExport(service.sql, tenant, request.params.id, format, request.apiKey!.id));
      const body = new PassThrough();
      writeBatchFile(service.sql, tenant, request.params.id, format, body).catch((error: unknown) =>
        body.destroy(error as Error),
      );
      return reply
        .header('content-type', EXPORT_MIME[format])
        .header('content-disposition', `attachment; filename="${request.params.id.replace(/[^A-Za-z0-9_-]/g, '_')}.${format}"`)
        .send(body);
    },
  );
}

function registerReconcile(app: TypedApp, { service }: RouteContext): void {
  app.get(
    '/v1/payouts/batches/:id/reconcile',
    {
      schema: {
        tags: ['payouts'],
        summary:
          'Reconcile a batch: each line (paid, failed, open) against its withdrawal and the ledger; batch, line and ledger totals; every difference',
        params: z.object({ id: z.string() }),
        querystring: z.object({ limit: z.coerce.number().int().min(0).max(200_000).default(1000).describe('lines listed') }),
        response: { 200: reconcileReply, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      return payoutCall(() => reconcileBatch(service.sql, tenant, request.params.id, request.query));
    },
  );
}

/** POST /v1/payouts/batches/:id/results, in a scope of its own that reads raw CSV and XLSX bodies. */
const registerResults: Register = (app, context) => {
  const { service } = context;
  app.addContentTypeParser(
    ['text/csv', 'text/plain', XLSX_MIME, 'application/octet-stream'],
    { parseAs: 'buffer' },
    (_request, body, done) => done(null, body),
  );
  app.post(
    '/v1/payouts/batches/:id/results',
    {
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags: ['payouts'],
        summary:
          "Import the payer's result file (CSV as text/csv or text/plain, or XLSX) with columns reference, status (paid | failed), reason, payer_reference: each line becomes withdrawal.paid / withdrawal.failed with an id of batch, line and status, so importing the same file twice changes nothing; unknown references are reported, not applied",
        params: z.object({ id: z.string() }),
        querystring: z.object({
          format: z.enum(['csv', 'xlsx']).optional().describe('default: from the content type'),
          at: optionalAt,
        }),
        response: {
          200: z.object({
            batch: z.string(),
            rows: z.number(),
            applied: z.number(),
            duplicates: z.number(),
            skipped: z.number(),
            problems: z.array(z.object({ row: z.number(), reference: z.string(), code: z.string(), message: z.string() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const data = request.body;
      if (!Buffer.isBuffer(data)) {
        throw ApiError.of(
          'invalid',
          `send the result file itself as the body, with content type text/csv (or text/plain) or ${XLSX_MIME}`,
        );
      }
      const format = uploadFormat(request, data, request.query.format);
      return payoutCall(async () => {
        const rows = await parseResultFile(data, format);
        return importResults(service, tenant, request.params.id, rows, {
          actor: request.apiKey!.id,
          at: request.query.at ?? nowIso(context),
          serverTime: request.query.at === undefined,
          format,
          file: data,
        });
      });
    },
  );
};
