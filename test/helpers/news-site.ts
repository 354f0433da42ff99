import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { HostPolicy } from '../../src/ingest/address.js';
import { WebClient } from '../../src/ingest/http.js';

/**
 * A news site on a loopback port, for the ingester's tests: Arabic pages of
 * both generations, feeds, sitemaps, robots.txt, redirects, a huge page and
 * an image. Every request and connection is recorded.
 */
export interface NewsSite {
  origin: string;
  port: number;
  requests: { path: string; headers: IncomingHttpHeaders; status: number }[];
  /** TCP connections accepted. */
  connections: number;
  /** Bytes of the huge page written before the client went away. */
  hugeBytesSent: number;
  /** Changes a page's article text (the next fetch sees the new one). */
  edit(path: string, html: string): void;
  /** Adds an article to the RSS feed (its ETag changes with it). */
  addToFeed(path: string): void;
  /** The RSS feed's ETag now. */
  etag(): string;
  close(): Promise<void>;
}

/** The web client ingestion makes, allowed by `policy` (by default this site's host only), with no pause between requests. */
export function siteClient(policy = new HostPolicy(['127.0.0.1']), maxBytes = 4 * 1024 * 1024): WebClient {
  return new WebClient({ policy, userAgent: 'ArabicNewsQA/0.1 (test)', maxBytes, timeoutMs: 10_000, hostDelayMs: 0 });
}

export const MODERN = {
  path: '/news/desalination-aqaba',
  title: 'افتتاح أكبر محطة لتحلية مياه البحر في العقبة',
  outlet: 'شبكة الأخبار الحديثة',
  date: '2024-03-05',
  author: 'ليلى حداد',
  sentences: [
    'افتتحت وزارة المياه الأردنية صباح اليوم محطة جديدة لتحلية مياه البحر في مدينة العقبة بطاقة إنتاجية تبلغ مئة وخمسين ألف متر مكعب يوميا.',
    'وقال وزير المياه إن المحطة ستزود محافظات الجنوب بمياه الشرب على مدار العام وتخفف الضغط عن الآبار الجوفية.',
    'وبلغت كلفة إنشاء المحطة نحو أربعمئة مليون دولار بتمويل من صناديق عربية ودولية.',
  ],
};

export const OLD = {
  path: '/archive/2009/tartus.html',
  title: 'وصول أول قطار بضائع إلى ميناء طرطوس',
  outlet: 'جريدة الأمس',
  date: '2009-03-15',
};

export const OLIVE = {
  path: '/news/olive-harvest',
  title: 'بدء موسم قطف الزيتون في سهول جنين',
  outlet: 'وكالة الريف',
  date: '2023-10-12',
};

export const BRIDGE = {
  path: '/news/bridge',
  title: 'تدشين جسر معلق فوق نهر دجلة في الموصل',
  outlet: 'صحيفة الرافدين',
  date: '2022-06-20',
};

export const PRIVATE_PATH = '/private/leak';

const BOILERPLATE = {
  nav: '<nav class="main-menu"><ul><li><a href="/">الرئيسية</a></li><li><a href="/politics">سياسة</a></li><li><a href="/economy">اقتصاد</a></li><li><a href="/sport">رياضة</a></li></ul></nav>',
  cookie:
    '<div id="cookie-consent" class="cookie-banner"><p>نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا، وباستمرارك في التصفح فإنك توافق على سياسة الخصوصية الخاصة بنا.</p><button>موافق</button></div>',
  share:
    '<div class="share-buttons"><a href="https://facebook.com/share">شارك على فيسبوك</a> <a href="https://twitter.com/share">غرد على تويتر</a> <a href="https://wa.me/">أرسل عبر واتساب</a></div>',
  readAlso:
    '<div class="read-also"><h3>اقرأ أيضا</h3><ul><li><a href="/news/gold">ارتفاع أسعار الذهب في الأسواق المحلية إلى مستوى قياسي جديد</a></li><li><a href="/news/football">منتخب الشباب يتأهل إلى نهائي البطولة الآسيوية لكرة القدم</a></li></ul></div>',
  comments:
    '<section id="comments" class="comments"><h3>التعليقات</h3><div class="comment"><p>مشروع رائع وننتظر مشاريع مشابهة في محافظة الكرك قريبا إن شاء الله يا رب.</p></div></section>',
  newsletter:
    '<div class="newsletter-box"><p>اشترك في النشرة البريدية لتصلك أهم الأخبار يوميا على بريدك الإلكتروني.</p><form><input type="email"><button>اشترك</button></form></div>',
  footer:
    '<footer class="site-footer"><p>جميع الحقوق محفوظة لشبكة الأخبار الحديثة 2024. يمنع نسخ المحتوى دون إذن مسبق من إدارة التحرير.</p></footer>',
};

export function modernPage(sentences = MODERN.sentences): string {
  const ld = {
    '@context': 'https://schema.org',
    '@graph': [
      { '@type': 'WebSite', name: MODERN.outlet, url: 'https://modern.example/' },
      {
        '@type': ['NewsArticle'],
        headline: MODERN.title,
        datePublished: '2024-03-05T09:30:00+03:00',
        author: [{ '@type': 'Person', name: MODERN.author }],
        publisher: { '@type': 'Organization', name: MODERN.outlet },
      },
    ],
  };
  return `<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>عنوان مختصر للصفحة | ${MODERN.outlet}</title>
<link rel="canonical" href="${MODERN.path}">
<meta property="og:title" content="عنوان أوبن غراف أقل دقة">
<meta property="og:site_name" content="${MODERN.outlet}">
<script type="application/ld+json">${JSON.stringify(ld)}</script>
<script>window.dataLayer = [{ page: 'article' }];</script>
<style>.x { color: red }</style>
</head><body>
<header class="masthead"><a href="/" class="logo">${MODERN.outlet}</a><div class="breaking">عاجل: انقطاع الكهرباء عن أحياء في العاصمة مساء اليوم بسبب أعمال صيانة</div></header>
${BOILERPLATE.nav}
${BOILERPLATE.cookie}
<main><article class="article">
<h1>${MODERN.title}</h1>
<div class="meta"><time datetime="2024-03-04">4 مارس 2024</time> <span class="author">${MODERN.author}</span></div>
${BOILERPLATE.share}
<div class="article-body">
<p>${sentences[0]}</p>
<p>${sentences[1]} &quot;نحن فخورون بهذا الإنجاز&quot; كما قال.</p>
${BOILERPLATE.readAlso}
<p>${sentences[2]}</p>
</div>
${BOILERPLATE.newsletter}
</article>
${BOILERPLATE.comments}
<aside class="sidebar"><h3>الأكثر قراءة</h3><ol><li><a href="/a">حريق في مستودع للأخشاب</a></li></ol></aside>
</main>
${BOILERPLATE.footer}
</body></html>`;
}

/** An old table-layout page in windows-1256 whose charset is only in a meta tag, paragraphs split by <br>. */
export function oldPageBytes(): Buffer {
  const html = `<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">
<title>${OLD.title} - ${OLD.outlet}</title></head>
<body bgcolor="#ffffff"><table width="780" border="0"><tr><td colspan="2"><font size="5">${OLD.outlet}</font> | <a href="/">الصفحة الأولى</a> | <a href="/sport">الرياضة</a></td></tr>
<tr><td width="150" valign="top"><a href="/a">أخبار محلية</a><br><a href="/b">عربي ودولي</a><br><a href="/c">اقتصاد</a></td>
<td valign="top"><font size="4"><b>${OLD.title}</b></font><br>
<font size="2">الأحد 15 مارس 2009</font><br><br>
وصل صباح أمس أول قطار بضائع إلى ميناء طرطوس قادما من حلب محملا بألف طن من القمح&nbsp;والشعير.<br><br>
\u200Fوقال مدير المؤسسة العامة للخطوط الحديدية إن &quot;الــخط&quot; الجديد سيختصر زمن نقل البضائع إلى النصف.<br><br>
وأضاف أن المؤسسة تخطط لتسيير ثلاث رحلات أسبوعيا بين المدينتين اعتبارا من الشهر المقبل.<br>
</td></tr>
<tr><td colspan="2"><font size="1">جميع الحقوق محفوظة &copy; ${OLD.outlet} 2009</font></td></tr></table></body></html>`;
  return iconv.encode(html, 'windows-1256');
}

function olivePage(): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${OLIVE.title}</title>
<meta property="og:title" content="${OLIVE.title}"><meta property="og:site_name" content="${OLIVE.outlet}">
<meta property="article:published_time" content="2023-10-12T07:00:00Z"><meta property="og:url" content="${OLIVE.path}">
</head><body>${BOILERPLATE.nav}<div id="content"><h1>${OLIVE.title}</h1>
<p>بدأ المزارعون في سهول جنين موسم قطف الزيتون وسط توقعات بإنتاج يفوق عشرين ألف طن من الزيت هذا العام.</p>
<p>وأشارت وزارة الزراعة إلى أن الأمطار المبكرة حسنت جودة الثمار مقارنة بالموسم الماضي.</p>
${BOILERPLATE.share}</div>${BOILERPLATE.footer}</body></html>`;
}

function bridgePage(): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${BRIDGE.title} - ${BRIDGE.outlet}</title>
<meta name="date" content="2022-06-20"><meta name="author" content="سامر العبيدي"></head><body>
<div class="wrapper"><h1>${BRIDGE.title}</h1><time datetime="2022-06-20T10:00:00+03:00">20 يونيو 2022</time>
<div class="story"><p>دشنت الحكومة العراقية جسرا معلقا جديدا فوق نهر دجلة في مدينة الموصل بطول ثمانمئة متر.</p>
<p>ويربط الجسر الساحل الأيمن بالساحل الأيسر للمدينة بعد أن دمرت الحرب الجسور القديمة.</p></div>
${BOILERPLATE.readAlso}</div></body></html>`;
}

function privatePage(): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>وثائق داخلية</title></head><body><article>
<p>تكشف الوثائق الداخلية تفاصيل صفقة شراء طائرات مسيرة من شركة أجنبية بقيمة سبعين مليون دولار.</p>
<p>وتضمنت الصفقة بنودا سرية تتعلق بالصيانة والتدريب لمدة خمس سنوات.</p></article></body></html>`;
}

export function rssFeed(origin: string, extra: string[] = []): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${MODERN.outlet}</title><link>${origin}/</link>
${extra.map((path) => `<item><link>${origin}${path}?utm_source=rss</link></item>`).join('\n')}
<item><title>${MODERN.title}</title><link>${origin}${MODERN.path}?utm_source=rss&amp;utm_medium=feed&amp;utm_campaign=x</link><guid isPermaLink="false">a-1</guid><pubDate>Tue, 05 Mar 2024 06:30:00 GMT</pubDate></item>
<item><title>${OLIVE.title}</title><link>${origin}${OLIVE.path}?utm_source=rss</link></item>
<item><title>وثائق</title><link>${origin}${PRIVATE_PATH}</link></item>
</channel></rss>`;
}

function atomFeed(origin: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>${BRIDGE.outlet}</title><id>urn:x</id><updated>2022-06-20T10:00:00Z</updated>
<entry><title>${BRIDGE.title}</title><id>urn:bridge</id><updated>2022-06-20T10:00:00Z</updated>
<link rel="alternate" type="text/html" href="${origin}${BRIDGE.path}"/><link rel="edit" href="${origin}/edit/1"/></entry>
</feed>`;
}

function sitemap(origin: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>${origin}${MODERN.path}</loc><lastmod>2024-03-05</lastmod></url>
<url><loc>${origin}${OLIVE.path}</loc></url></urlset>`;
}

function newsSitemap(origin: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>${origin}${BRIDGE.path}</loc><news:news><news:publication><news:name>${BRIDGE.outlet}</news:name><news:language>ar</news:language></news:publication><news:publication_date>2022-06-20</news:publication_date><news:title>${BRIDGE.title}</news:title></news:news></url>
</urlset>`;
}

function sitemapIndex(origin: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>${origin}/sitemap.xml</loc></sitemap><sitemap><loc>${origin}/news-sitemap.xml</loc></sitemap>
</sitemapindex>`;
}

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

export const FEED_ETAG = '"feed-v1"';

/** Starts the site on a free loopback port. `hugeBytes`: the size of /huge (default 30 MB). */
export async function startNewsSite({ hugeBytes = 30 * 1024 * 1024 } = {}): Promise<NewsSite> {
  const edits = new Map<string, string>();
  const feedExtra: string[] = [];
  const etag = () => (feedExtra.length === 0 ? FEED_ETAG : `"feed-v${feedExtra.length + 1}"`);
  const site: NewsSite = {
    origin: '',
    port: 0,
    requests: [],
    connections: 0,
    hugeBytesSent: 0,
    edit: (path, html) => edits.set(path, html),
    addToFeed: (path) => feedExtra.push(path),
    etag,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', site.origin);
    const path = url.pathname;
    const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      site.requests.push({ path: req.url ?? '', headers: req.headers, status });
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(body);
    };
    const html = (body: string) => send(200, 'text/html; charset=utf-8', body);
    const edited = edits.get(path);
    if (edited) return html(edited);
    switch (path) {
      case '/robots.txt':
        return send(200, 'text/plain', 'User-agent: *\nDisallow: /private/\n\nUser-agent: OtherBot\nDisallow: /\n');
      case MODERN.path:
        return html(modernPage());
      case '/m/news/desalination-aqaba': // the mobile page: the same article, its canonical link names the desktop one
        return html(modernPage().replace(`href="${MODERN.path}"`, `href="${site.origin}${MODERN.path}"`));
      case OLD.path:
        return send(200, 'text/html', oldPageBytes()); // no charset in the header: only in the page's meta tag
      case OLIVE.path:
        return send(200, 'text/html; charset=utf-8', gzipSync(olivePage()), { 'content-encoding': 'gzip' });
      case BRIDGE.path:
        return send(200, 'text/html; charset=utf-8', brotliCompressSync(bridgePage()), { 'content-encoding': 'br' });
      case PRIVATE_PATH:
        return html(privatePage());
      case '/rss.xml':
        if (req.headers['if-none-match'] === etag()) return send(304, 'application/rss+xml', '', { etag: etag() });
        return send(200, 'application/rss+xml; charset=utf-8', rssFeed(site.origin, feedExtra), { etag: etag() });
      case '/feed': // an Atom feed at an address that does not say so, served as text/xml
        return send(200, 'text/xml', atomFeed(site.origin), { 'last-modified': 'Mon, 20 Jun 2022 10:00:00 GMT' });
      case '/sitemap.xml':
        return send(200, 'application/xml', sitemap(site.origin));
      case '/news-sitemap.xml':
        return send(200, 'application/xml', newsSitemap(site.origin));
      case '/sitemap-index.xml':
        return send(200, 'application/xml', sitemapIndex(site.origin));
      case '/go/modern':
        return send(301, 'text/html', '', { location: '/go/modern-2' });
      case '/go/modern-2':
        return send(302, 'text/html', '', { location: `${MODERN.path}?utm_source=newsletter` });
      case '/loop':
        return send(302, 'text/html', '', { location: `/loop?n=${Number(url.searchParams.get('n') ?? 0) + 1}` });
      case '/go/private':
        return send(302, 'text/html', '', { location: PRIVATE_PATH });
      case '/plain-feed': // RSS served as text/plain, its items giving their address only as a guid
        return send(
          200,
          'text/plain',
          `<?xml version="1.0"?><rss version="2.0"><channel><item><guid>${site.origin}${BRIDGE.path}</guid></item></channel></rss>`,
        );
      case '/blob':
        return send(200, 'application/octet-stream', Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(64)]));
      case '/photo.png':
        return send(200, 'image/png', PNG);
      case '/report.pdf':
        return send(200, 'application/pdf', '%PDF-1.4\n');
      case '/huge': {
        site.requests.push({ path: req.url ?? '', headers: req.headers, status: 200 });
        // Streamed without a length, so only reading it shows how large it is.
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        const block = Buffer.from(`<p>${'كلام كثير بلا نهاية '.repeat(200)}</p>\n`);
        const write = () => {
          while (site.hugeBytesSent < hugeBytes) {
            site.hugeBytesSent += block.length;
            if (!res.write(block)) return void res.once('drain', write);
          }
          res.end();
        };
        res.on('close', () => undefined);
        write();
        return;
      }
      default:
        return send(404, 'text/html', '<h1>404</h1>');
    }
  });
  server.on('connection', () => site.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.port = (server.address() as AddressInfo).port;
  site.origin = `http://127.0.0.1:${site.port}`;
  return site;
}
