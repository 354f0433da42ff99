import iconv from 'iconv-lite';

/** Bytes looked at for a <meta charset> or an XML declaration (the HTML standard says 1024; old pages put it later). */
const SNIFF_BYTES = 4096;

/** The charset named in a Content-Type header value, if any. */
function fromContentType(contentType: string): string | undefined {
  return /;\s*charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType)?.[1];
}

/** The charset a page or feed declares in its first bytes: a BOM, <meta charset>, http-equiv, or <?xml encoding?>. */
function fromDocument(bytes: Buffer): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const head = bytes.subarray(0, SNIFF_BYTES).toString('latin1');
  return (
    /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1] ??
    /<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1]
  );
}

/**
 * Decodes a page or feed: the charset of the Content-Type header, or
 * failing that the document's own declaration, or UTF-8. Arabic sites still
 * serve windows-1256 and ISO-8859-6; iconv-lite knows both.
 */
export function decodeBody(bytes: Buffer, contentType = ''): string {
  const declared = [fromContentType(contentType), fromDocument(bytes)].find(
    (name): name is string => name !== undefined && iconv.encodingExists(name),
  );
  // iconv-lite drops a BOM by default; a stray one is dropped either way.
  return iconv.decode(bytes, declared ?? 'utf-8').replace(/^\uFEFF/, '');
}
