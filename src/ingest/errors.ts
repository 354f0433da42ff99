import { UserError } from '../errors.js';

/** Why a URL (or an article found through it) was not taken into the archive. */
export type RefusalReason =
  | 'url' // not http(s), or not a URL at all
  | 'address' // resolves to loopback, private, link-local, multicast… (SSRF)
  | 'robots' // robots.txt disallows it for our user agent
  | 'too-large' // over MAX_ARTICLE_BYTES
  | 'type' // an image, a PDF: neither HTML nor a feed
  | 'http' // an HTTP error status
  | 'redirects' // more than five redirects, or a redirect without a location
  | 'network' // connection refused, timeout, DNS failure
  | 'no-text' // a page with no article text in it
  | 'exists' // another article file has the id it would get
  | 'export'; // a CMS export row that cannot be read

/** A URL or an exported row refused, with a one-line reason that names it. */
export class IngestRefusedError extends UserError {
  override readonly name = 'IngestRefusedError';

  constructor(
    /** The URL (or "export.jsonl:12") refused. */
    readonly url: string,
    readonly reason: RefusalReason,
    /** What exactly: the robots rule, the status, the address, the content type. */
    readonly detail: string,
  ) {
    super(`Refused ${url}: ${detail}`);
  }
}
