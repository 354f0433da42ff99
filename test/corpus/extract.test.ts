import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/corpus/charset.js';
import { extractPage } from '../../src/corpus/extract.js';

const SENTENCES = [
  'أعلنت وزارة الثقافة عن إطلاق قانون جديد لحماية حقوق النشر والتأليف في الكتب الرقمية والمطبوعة على حد سواء.',
  'وقال الوزير إن القانون يفرض غرامات على من ينسخ الكتب دون إذن أصحابها ويحمي المؤلفين الشباب.',
  'ويدخل القانون حيز التنفيذ مطلع العام المقبل بعد نشره في الجريدة الرسمية.',
];

describe('extractPage', () => {
  it('reads an ASP.NET page wrapped in one <form>, inline <font> inside sentences, and keeps a sentence about copyright', () => {
    const html = `<html><head><title>قانون لحماية حقوق النشر | جريدة الوطن</title></head><body>
<form id="aspnetForm" method="post"><div id="menu"><a href="/">الرئيسية</a> <a href="/x">محليات</a></div>
<div id="ContentPlaceHolder1_body"><p>${SENTENCES[0].replace('قانون جديد', '<font color="red">قانون جديد</font>')}</p>
<p>${SENTENCES[1]}</p><p>${SENTENCES[2]}</p></div>
<div class="copyright">جميع الحقوق محفوظة لجريدة الوطن ©</div></form></body></html>`;
    const page = extractPage(html, 'https://watan.example/Article.aspx?id=5');
    expect(page.title).toBe('قانون لحماية حقوق النشر');
    expect(page.outlet).toBe('جريدة الوطن');
    expect(page.paragraphs).toEqual(SENTENCES);
    expect(page.canonical).toBeUndefined();
  });

  it('takes the site name off og:title, and reads ISO-8859-6 declared in the header', () => {
    const html = `<html><head><meta property="og:title" content="أمطار غزيرة في عمان - الرأي"><meta property="og:site_name" content="الرأي">
<meta property="og:url" content="https://alrai.example/n/1"></head><body><article><p>${SENTENCES[2]}</p><p>${SENTENCES[1]}</p></article></body></html>`;
    const bytes = iconv.encode(html, 'iso-8859-6');
    const page = extractPage(
      decodeBody(bytes, 'text/html; charset=ISO-8859-6'),
      'https://alrai.example/n/1?utm_source=x',
    );
    expect(page).toMatchObject({
      title: 'أمطار غزيرة في عمان',
      outlet: 'الرأي',
      canonical: 'https://alrai.example/n/1',
    });
    expect(page.paragraphs).toEqual([SENTENCES[2], SENTENCES[1]]);
  });
});
