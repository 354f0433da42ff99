import { Composer } from 'grammy';
import {
  ArchiveBusyError,
  type ArchiveService,
  ArticleExistsError,
  ArticleNotFoundError,
  ArticleRejectedError,
  type BuildFigures,
  BuildLockedError,
  IndexShrinkError,
  LastArticleError,
} from '../../answering/archive.js';
import { UserError } from '../../errors.js';
import { redactSecrets } from '../../log.js';
import type { BotContext, BotDeps } from '../context.js';
import { parseCommand } from '../parse-command.js';
import { ProgressMessage } from '../progress-message.js';

/** The editors' commands: only ADMIN_USER_IDS may use them. */
export const EDITOR_COMMANDS = ['reindex', 'add', 'remove'] as const;

/** Files an editor may send as articles. */
const ARTICLE_FILE = /\.(txt|md)$/i;
/** Telegram's own Bot API server, where documents are downloaded from unless TELEGRAM_API_ROOT names another. */
const DEFAULT_API_ROOT = 'https://api.telegram.org';
/** Longest a document download may take. */
const DOWNLOAD_TIMEOUT_MS = 60_000;
/** Files listed by name when a rebuild skipped some. */
const SKIPPED_SHOWN = 10;

export interface AdminDeps extends BotDeps {
  /** The Bot API server (TELEGRAM_API_ROOT): documents are downloaded from its file URL. */
  apiRoot?: string;
}

function isEditor(ctx: BotContext, deps: BotDeps): deps is BotDeps & { archive: ArchiveService } {
  return deps.archive !== undefined && ctx.from !== undefined && deps.admins?.has(ctx.from.id) === true;
}

/** "4 MiB", "512 KiB". */
function size(bytes: number): string {
  return bytes >= 2 ** 20 ? `${Number((bytes / 2 ** 20).toFixed(1))} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

/**
 * /reindex, /add and /remove, and .txt/.md documents sent in a private
 * chat: the archive changed from the chat, by editors only. Everyone else
 * gets a polite refusal and nothing they send is downloaded or written.
 * Every action, done or refused, is logged with the user's id.
 */
export function admin(deps: AdminDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.on('message:text', async (ctx, next) => {
    const command = parseCommand(ctx.message.text, ctx.me.username);
    // A link alone in a private chat is an article to add: for editors only, as /add is.
    const link = command ? undefined : ctx.chat.type === 'private' ? linkOnly(ctx.message.text) : undefined;
    if (link) {
      if (!isEditor(ctx, deps)) return refuse(ctx, deps, 'add-link');
      return addLink(ctx, deps, link);
    }
    if (!command || !(EDITOR_COMMANDS as readonly string[]).includes(command.name)) return next();
    if (!isEditor(ctx, deps)) return refuse(ctx, deps, command.name);
    if (command.name === 'reindex') return reindex(ctx, deps, command.args);
    if (command.name === 'remove') return remove(ctx, deps, command.args);
    if (!command.args) return void (await ctx.reply(ctx.t('add-usage')));
    const linked = linkOnly(command.args);
    if (linked) return addLink(ctx, deps, linked);
    return add(ctx, deps, { bytes: Buffer.from(command.args, 'utf8') }, 'text');
  });

  composer.on('message:document', async (ctx, next) => {
    // Documents are read as articles in private chats only: in a group they are just files.
    const fileName = ctx.message.document.file_name ?? '';
    if (ctx.chat.type !== 'private' || !ARTICLE_FILE.test(fileName)) {
      if (ctx.chat.type === 'private' && isEditor(ctx, deps)) return void (await ctx.reply(ctx.t('add-bad-type')));
      return next();
    }
    if (!isEditor(ctx, deps)) return refuse(ctx, deps, 'add');
    const { archive } = deps;
    const declared = ctx.message.document.file_size;
    if (declared !== undefined && declared > archive.maxArticleBytes) {
      return rejected(ctx, deps, new ArticleRejectedError('too-large'), 'document');
    }
    if (archive.busy) return void (await ctx.reply(ctx.t('admin-busy')));
    const progress = await ProgressMessage.send(ctx, deps.logger, ctx.t('add-downloading'));
    let bytes: Buffer;
    try {
      bytes = await download(ctx, deps, archive.maxArticleBytes);
    } catch (error) {
      deps.logger.error({ err: redactSecrets(error), userId: ctx.from.id, fileName }, 'document download failed');
      return progress.finish(ctx.t('add-download-failed'));
    }
    return add(ctx, deps, { bytes, fileName }, 'document', progress);
  });

  return composer;
}

/** The address when a text is one http(s) link and nothing else. */
function linkOnly(text: string): string | undefined {
  const trimmed = text.trim();
  return /^https?:\/\/\S+$/i.test(trimmed) ? trimmed : undefined;
}

/**
 * An article (or a feed, or a sitemap) from the web: fetched by the
 * ingester (SSRF-safe, robots obeyed), stored, indexed; the reply gives the
 * headline, outlet and date, or why it was refused.
 */
async function addLink(ctx: BotContext, deps: BotDeps & { archive: ArchiveService }, url: string): Promise<void> {
  const userId = ctx.from?.id;
  const { fromWeb } = deps;
  if (!fromWeb) return void (await ctx.reply(ctx.t('add-link-unavailable')));
  if (deps.archive.busy) return void (await ctx.reply(ctx.t('admin-busy')));
  deps.logger.info({ userId, action: 'add-link', url }, 'editor action');
  const progress = await ProgressMessage.send(ctx, deps.logger, ctx.t('add-fetching'));
  try {
    const { result, figures } = await deps.archive.apply((store) => fromWeb([url], store), {
      changed: (summary) => summary.added + summary.updated > 0,
      onProgress: (done, total) => progress.update(ctx.t('reindex-progress', { done, total })),
    });
    deps.logger.info(
      { userId, action: 'add-link', url, added: result.added, updated: result.updated, refused: result.refused.length },
      'editor action done',
    );
    const given = result.outcomes.find((o) => o.given);
    const unknown = ctx.t('unknown');
    let text: string;
    if (!given || given.status === 'refused') text = ctx.t('add-link-refused', { reason: given?.detail ?? '' });
    else if (given.status === 'feed' || given.status === 'not-modified')
      text = ctx.t('add-link-feed', {
        added: result.added,
        updated: result.updated,
        unchanged: result.unchanged,
        refused: result.refused.length,
      });
    else
      text = ctx.t(`add-link-${given.status === 'added' ? 'done' : given.status}`, {
        title: given.title ?? '',
        outlet: given.outlet || unknown,
        date: given.date || unknown,
        url: given.canonical ?? url,
        id: given.id ?? '',
      });
    await progress.finish(figures ? `${text}\n${figuresText(ctx, figures)}` : text);
  } catch (error) {
    logFailure(ctx, deps, 'add-link', error);
    await progress.finish(buildFailure(ctx, error));
  }
}

async function refuse(ctx: BotContext, deps: BotDeps, action: string): Promise<void> {
  deps.logger.warn({ userId: ctx.from?.id, chatId: ctx.chat?.id, action }, 'editor command refused: not an editor');
  await ctx.reply(ctx.t('admin-only'));
}

/**
 * The document's bytes, through the Bot API's file URL, never more than
 * `maxBytes` + 1 of them (enough to know it is too large).
 */
async function download(ctx: BotContext, deps: AdminDeps, maxBytes: number): Promise<Buffer> {
  const file = await ctx.getFile();
  if (!file.file_path) throw new Error('Telegram gave no file path for the document');
  const url = `${deps.apiRoot ?? DEFAULT_API_ROOT}/file/bot${ctx.api.token}/${file.file_path}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!response.ok || !response.body) throw new Error(`file download answered HTTP ${response.status}`);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response.body) {
    chunks.push(Buffer.from(chunk));
    length += chunk.length;
    if (length > maxBytes) break; // leaving the loop cancels the rest of the download
  }
  return Buffer.concat(chunks).subarray(0, maxBytes + 1);
}

/** The rebuild's figures, and what it could not index. */
function figuresText(ctx: BotContext, figures: BuildFigures): string {
  const lines = [
    ctx.t('build-figures', {
      articles: figures.articles,
      added: figures.added,
      changed: figures.changed,
      removed: figures.removed,
      seconds: figures.seconds,
    }),
  ];
  if (figures.skipped.length > 0) {
    const files = figures.skipped.slice(0, SKIPPED_SHOWN).map((s) => `${s.file} (${s.reason})`);
    if (figures.skipped.length > SKIPPED_SHOWN) files.push('…');
    lines.push(ctx.t('build-skipped', { files: files.join('، ') }));
  }
  if (!figures.live) lines.push(ctx.t('admin-not-live'));
  return lines.join('\n');
}

/**
 * Why a rebuild failed, in a few words (a bug is apologised for); `plain`
 * words a user error that has no text of its own.
 */
function failureReason(ctx: BotContext, error: unknown, plain = (message: string) => message): string {
  if (error instanceof BuildLockedError) return ctx.t('admin-locked');
  if (error instanceof IndexShrinkError)
    return ctx.t('reindex-shrink-refused', {
      removed: error.published - error.remaining,
      published: error.published,
      skipped: error.skipped,
    });
  if (error instanceof UserError) return plain(error.message);
  return ctx.t('failure');
}

/** What went wrong with a rebuild, as the whole reply to the editor (a bug is logged and apologised for). */
function buildFailure(ctx: BotContext, error: unknown): string {
  if (error instanceof ArchiveBusyError) return ctx.t('admin-busy');
  return failureReason(ctx, error, (reason) => ctx.t('admin-failed', { reason }));
}

function logFailure(ctx: BotContext, deps: BotDeps, action: string, error: unknown): void {
  const fields = { err: redactSecrets(error), userId: ctx.from?.id, action };
  if (error instanceof UserError) deps.logger.warn(fields, 'editor action failed');
  else deps.logger.error(fields, 'editor action failed');
}

function logged(figures: BuildFigures) {
  const { skipped, ...rest } = figures;
  return { ...rest, skipped: skipped.length };
}

/** "/reindex allow-shrink" (dashes optional: phones turn "--" into a dash). */
const ALLOW_SHRINK = /^[-–—]*allow-shrink$/i;

async function reindex(ctx: BotContext, deps: BotDeps & { archive: ArchiveService }, args = ''): Promise<void> {
  const allowShrink = ALLOW_SHRINK.test(args.trim());
  const userId = ctx.from?.id;
  if (deps.archive.busy) {
    deps.logger.info({ userId, action: 'reindex' }, 'editor action refused: a rebuild is under way');
    return void (await ctx.reply(ctx.t('admin-busy')));
  }
  deps.logger.info({ userId, action: 'reindex' }, 'editor action');
  const progress = await ProgressMessage.send(ctx, deps.logger, ctx.t('reindex-started'));
  try {
    const figures = await deps.archive.rebuild(
      (done, total) => progress.update(ctx.t('reindex-progress', { done, total })),
      { allowShrink },
    );
    deps.logger.info({ userId, action: 'reindex', ...logged(figures) }, 'editor action done');
    await progress.finish(`${ctx.t('reindex-done')}\n${figuresText(ctx, figures)}`);
  } catch (error) {
    logFailure(ctx, deps, 'reindex', error);
    await progress.finish(buildFailure(ctx, error));
  }
}

/** Replies why an article was refused; nothing was written. */
async function rejected(
  ctx: BotContext,
  deps: BotDeps,
  error: ArticleRejectedError | ArticleExistsError,
  source: string,
  progress?: ProgressMessage,
): Promise<void> {
  deps.logger.warn({ userId: ctx.from?.id, action: 'add', source, err: error.message }, 'editor action refused');
  const limit = deps.archive ? size(deps.archive.maxArticleBytes) : '';
  const text =
    error instanceof ArticleExistsError
      ? ctx.t('add-exists', { id: error.id })
      : {
          type: () => ctx.t('add-bad-type'),
          'too-large': () => ctx.t('add-too-large', { limit }),
          'not-utf8': () => ctx.t('add-not-utf8'),
          empty: () => ctx.t('add-empty'),
          'front-matter': () => ctx.t('add-bad-front-matter', { reason: error.detail ?? '' }),
          'no-text': () => ctx.t('add-no-text'),
        }[error.reason]();
  if (progress) await progress.finish(text);
  else await ctx.reply(text);
}

async function add(
  ctx: BotContext,
  deps: BotDeps & { archive: ArchiveService },
  submission: { bytes: Buffer; fileName?: string },
  source: 'document' | 'text',
  existing?: ProgressMessage,
): Promise<void> {
  const userId = ctx.from?.id;
  let progress = existing;
  let savedId: string | undefined;
  try {
    const { article, figures } = await deps.archive.add(submission, {
      onSaved: async ({ id, file }) => {
        savedId = id;
        deps.logger.info(
          { userId, action: 'add', source, id, file, fileName: submission.fileName, bytes: submission.bytes.length },
          'editor action: article saved',
        );
        const text = ctx.t('add-saved', { id });
        if (progress) progress.set(text);
        else progress = await ProgressMessage.send(ctx, deps.logger, text);
      },
      onProgress: (done, total) => progress?.update(ctx.t('reindex-progress', { done, total })),
    });
    deps.logger.info({ userId, action: 'add', id: article.id, ...logged(figures) }, 'editor action done');
    const unknown = ctx.t('unknown');
    const done = ctx.t('add-done', {
      title: article.title,
      outlet: article.outlet || unknown,
      date: article.date || unknown,
      id: article.id,
    });
    await finish(ctx, progress, `${done}\n${figuresText(ctx, figures)}`);
  } catch (error) {
    if (error instanceof ArticleRejectedError || error instanceof ArticleExistsError)
      return rejected(ctx, deps, error, source, progress);
    logFailure(ctx, deps, 'add', error);
    const text =
      savedId === undefined
        ? buildFailure(ctx, error)
        : ctx.t('add-saved-not-indexed', { id: savedId, reason: failureReason(ctx, error) });
    await finish(ctx, progress, text);
  }
}

async function remove(ctx: BotContext, deps: BotDeps & { archive: ArchiveService }, args: string): Promise<void> {
  const userId = ctx.from?.id;
  const id = args.trim();
  if (!id) {
    const example = (await deps.service.articles({ offset: 0, limit: 1 })).items[0]?.id ?? 'article-id';
    return void (await ctx.reply(ctx.t('remove-usage', { example })));
  }
  let progress: ProgressMessage | undefined;
  let removed = false;
  try {
    const { article, figures } = await deps.archive.remove(id, {
      onRemoved: async () => {
        removed = true;
        deps.logger.info({ userId, action: 'remove', id }, 'editor action: article file deleted');
        progress = await ProgressMessage.send(ctx, deps.logger, ctx.t('remove-started', { id }));
      },
      onProgress: (done, total) => progress?.update(ctx.t('reindex-progress', { done, total })),
    });
    deps.logger.info({ userId, action: 'remove', id, ...logged(figures) }, 'editor action done');
    const done = ctx.t('remove-done', { title: article.title, id: article.id });
    await finish(ctx, progress, `${done}\n${figuresText(ctx, figures)}`);
  } catch (error) {
    if (error instanceof ArticleNotFoundError || error instanceof LastArticleError) {
      deps.logger.warn({ userId, action: 'remove', id, err: error.message }, 'editor action refused');
      const text =
        error instanceof LastArticleError ? ctx.t('remove-last') : ctx.t('remove-not-found', { id: error.id });
      return void (await ctx.reply(text));
    }
    logFailure(ctx, deps, 'remove', error);
    const text = removed
      ? ctx.t('remove-not-indexed', { id, reason: failureReason(ctx, error) })
      : buildFailure(ctx, error);
    await finish(ctx, progress, text);
  }
}

/** The last word of an action: in its progress message when there is one. */
async function finish(ctx: BotContext, progress: ProgressMessage | undefined, text: string): Promise<void> {
  if (progress) await progress.finish(text);
  else await ctx.reply(text);
}
