import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { extname } from 'node:path';

/** A document as a Telegram message carries it. */
export interface TestDocument {
  file_id: string;
  file_unique_id: string;
  file_name: string;
  file_size: number;
  mime_type: string;
}

/** A Bot API request the front answered itself. */
export interface FrontRequest {
  method: string;
  payload: Record<string, unknown>;
}

export interface ApiFront {
  /** What the bot is given as TELEGRAM_API_ROOT. */
  apiRoot: string;
  /** Makes a file the bot can fetch with getFile and download, as if a user had uploaded it. */
  addFile(name: string, bytes: Buffer): TestDocument;
  /** getFile and setMyCommands requests, and file downloads (method "download"), in order. */
  requests: FrontRequest[];
  stop(): Promise<void>;
}

/** The Bot API methods telegram-test-api does not have, answered here. */
const ANSWERED = new Set(['getFile', 'setMyCommands']);

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

/**
 * A tiny HTTP server in front of the Bot API emulator (telegram-test-api) for
 * what it lacks: getFile and the file download URL
 * (`/file/bot<token>/<file_path>`), so documents travel over real HTTP, and
 * setMyCommands. Everything else is passed to the emulator unchanged.
 */
export async function startApiFront(emulatorUrl: string, token: string): Promise<ApiFront> {
  const files = new Map<string, { path: string; bytes: Buffer; document: TestDocument }>();
  const requests: FrontRequest[] = [];
  const emulator = new URL(emulatorUrl);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    const method = url.pathname.startsWith(`/bot${token}/`) ? url.pathname.slice(`/bot${token}/`.length) : undefined;
    if (method && ANSWERED.has(method)) {
      void body(req).then((payload) => {
        requests.push({ method, payload });
        if (method === 'setMyCommands') return json(res, 200, { ok: true, result: true });
        const file = files.get(String(payload.file_id));
        if (!file) return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' });
        const { file_id, file_unique_id, file_size } = file.document;
        json(res, 200, { ok: true, result: { file_id, file_unique_id, file_size, file_path: file.path } });
      });
      return;
    }
    if (url.pathname.startsWith('/file/')) {
      requests.push({ method: 'download', payload: { path: url.pathname } });
      const file = [...files.values()].find((f) => url.pathname === `/file/bot${token}/${f.path}`);
      if (!file) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length });
      return void res.end(file.bytes);
    }
    const upstream = request(
      { host: emulator.hostname, port: emulator.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    requests,
    addFile(name, bytes) {
      const id = randomBytes(8).toString('hex');
      const document: TestDocument = {
        file_id: `doc-${id}`,
        file_unique_id: `u-${id}`,
        file_name: name,
        file_size: bytes.length,
        mime_type: extname(name) === '.md' ? 'text/markdown' : 'text/plain',
      };
      files.set(document.file_id, { path: `documents/file_${id}${extname(name)}`, bytes, document });
      return document;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
