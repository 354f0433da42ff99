import { isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';

/** What a Markdown article's front matter may say; everything else in it is ignored. */
export interface FrontMatter {
  title?: string;
  source?: string;
  date?: string;
  url?: string;
  /** Read and kept, not indexed: ingested web articles record their author. */
  author?: string;
}

/** The front matter could not be accepted; `reason` says why, for the warning. */
export class FrontMatterError extends Error {
  override readonly name = 'FrontMatterError';
}

/** "---" or "---yaml" opening a file, up to a closing "---" or "..." line. */
const BLOCK = /^---([^\n]*)\n(?:([\s\S]*?)\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)/;
/** Languages the opening line may name: YAML only. Anything else ("---js") would be code. */
const YAML_LANGUAGES = new Set(['', 'yaml', 'yml']);
/** Aliases allowed before a document counts as an alias bomb. */
const MAX_ALIASES = 20;
const FIELDS = ['title', 'source', 'date', 'url', 'author'] as const;

/**
 * Splits a Markdown file into its front matter (if it has one) and body. The front matter is
 * read as YAML data only: the core schema (strings, numbers, booleans,
 * null), no tags, a cap on aliases. Nothing in a file is ever run, unlike
 * front-matter readers that accept "---js" blocks.
 *
 * @throws FrontMatterError for another language, tags, or invalid YAML.
 */
export function splitFrontMatter(text: string): { front?: FrontMatter; body: string } {
  const match = BLOCK.exec(text);
  if (!match) return { body: text }; // no front matter (or a rule line that opens no block)
  const language = match[1].trim().toLowerCase();
  if (!YAML_LANGUAGES.has(language)) {
    throw new FrontMatterError(`front matter in "${language}" is refused: only YAML is read`);
  }
  const doc = parseDocument(match[2] ?? '', { schema: 'core', logLevel: 'silent', uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new FrontMatterError(`invalid front matter: ${doc.errors[0].message.split('\n')[0]}`);
  visit(doc, (_key, node) => {
    if ((isScalar(node) || isMap(node) || isSeq(node)) && node.tag && !node.tag.startsWith('tag:yaml.org,2002:')) {
      throw new FrontMatterError(`front matter tag ${node.tag} is refused`);
    }
    if (isScalar(node) && node.tag && /binary|timestamp|set|omap|pairs/.test(node.tag)) {
      throw new FrontMatterError(`front matter tag ${node.tag} is refused`);
    }
  });
  if (doc.warnings.length > 0)
    throw new FrontMatterError(`front matter tags are refused (${doc.warnings[0].message.split('\n')[0]})`);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    throw new FrontMatterError(`invalid front matter: ${(error as Error).message.split('\n')[0]}`);
  }
  if (data !== null && (typeof data !== 'object' || Array.isArray(data))) {
    throw new FrontMatterError('front matter must be a list of "field: value" lines');
  }
  const front: FrontMatter = {};
  for (const field of FIELDS) {
    const value = (data as Record<string, unknown> | null)?.[field];
    if (typeof value === 'string' || typeof value === 'number') front[field] = String(value).trim();
  }
  return { front, body: text.slice(match[0].length) };
}
