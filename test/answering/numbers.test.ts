import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AnswerService } from '../../src/answering/service.js';
import { buildIndex } from '../../src/search/local/build.js';
import { builtInEmbedder, CHUNKING, openService, tempDir } from '../helpers/fixtures.js';

/**
 * A question and an article that write the same number differently: in
 * words on one side, in digits on the other. Each statement has look-alikes
 * that differ only in the number (two sentences apart, so that no sentence's
 * window holds another's number), so only a match on the number itself puts
 * the right one first.
 */
const ARTICLES: Record<string, string> = {
  'summit.md': `---
title: "قمة وزراء المالية العرب"
---
اختتمت في القاهرة أعمال قمة وزراء المالية العرب بعد يومين من النقاشات.
وشارك في الجلسة الافتتاحية 12 وزيرا من دول الخليج.
وألقى الأمين العام كلمة رحب فيها بالحضور.
وعرض البنك المركزي تقريره السنوي عن التضخم.
وشارك في جلسة التمويل 30 وزيرا من دول المنطقة.
وتناول المتحدثون أسعار الصرف وديون الشركات.
ودعا الخبراء إلى تنسيق السياسات النقدية.
وشارك في الجلسة الختامية 45 وزيرا وخبيرا.
`,
  'library.md': `---
title: "احتفالات المكتبة العامة"
---
احتفلت المكتبة العامة في المدينة بذكرى تأسيسها بحضور الكتاب والقراء.
وأقيم الحفل في الذكرى 25 لافتتاح القاعة الكبرى.
وقرأ الشعراء قصائد عن المدينة وتاريخها.
وتحدث المدير عن خطط رقمنة الكتب القديمة.
وكانت القاعة قد استقبلت في الذكرى 10 معرضا للمخطوطات.
وزار المعرض طلاب المدارس والجامعات.
وامتدت ساعات العمل حتى منتصف الليل.
وفي الذكرى 40 أهدى الكتاب المكتبة مجموعة نادرة.
`,
  'housing.md': `---
title: "خطة الإسكان الجديدة"
---
أعلنت وزارة الإسكان عن خطتها للأعوام المقبلة في مؤتمر صحفي.
وتتضمن المرحلة الأولى بناء ثلاثة آلاف مسكن في المدن الجديدة.
وقال الوزير إن الأولوية للأسر الشابة.
وستطرح الوزارة مناقصات للشركات المحلية.
وتتضمن المرحلة الثانية بناء خمسمائة مسكن في القرى.
وأكد المتحدث أن الأسعار ستكون مدعومة.
وسيتم ربط الأحياء الجديدة بشبكة النقل العام.
وتتضمن المرحلة الثالثة بناء ألف وخمسمائة مسكن قرب الموانئ.
وأشار التقرير إلى نقص اليد العاملة في قطاع البناء.
وطالب النواب بمراقبة جودة المواد المستخدمة.
وخصصت الوزارة للمشروع مئة مليار دولار على مدى عشر سنوات.
وخصصت الوزارة للطرق 20 مليار دولار.
`,
};

let service: AnswerService;

beforeAll(async () => {
  const dir = tempDir('numbers');
  const corpusDir = join(dir, 'corpus');
  mkdirSync(corpusDir);
  for (const [file, text] of Object.entries(ARTICLES)) writeFileSync(join(corpusDir, file), text);
  const embedder = await builtInEmbedder();
  const indexDir = join(dir, 'embeddings');
  await buildIndex({ corpusDir, indexDir, embedder, chunking: CHUNKING });
  service = await openService(indexDir, embedder);
});

async function firstQuote(question: string): Promise<string> {
  const answer = await service.ask(question);
  expect(answer.found, question).toBe(true);
  return answer.quotes[0]?.text ?? '';
}

describe('numbers in words and in digits, with the built-in model', () => {
  it('finds digits in the article for a number in words in the question', async () => {
    expect(await firstQuote('في أي جلسة شارك ثلاثون وزيرا؟')).toContain('30 وزيرا');
    expect(await firstQuote('ماذا أقيم في الذكرى الخامسة والعشرين؟')).toContain('الذكرى 25');
    expect(await firstQuote('ماذا حدث في الذكرى الأربعين للمكتبة؟')).toContain('الذكرى 40');
  });

  it('finds a number in words in the article for digits in the question', async () => {
    expect(await firstQuote('أين ستبنى 3000 مسكن؟')).toContain('ثلاثة آلاف مسكن');
    expect(await firstQuote('أين ستبنى ١٥٠٠ مسكن؟')).toContain('ألف وخمسمائة مسكن');
    expect(await firstQuote('ما المشروع الذي خصص له 100 مليار دولار؟')).toContain('مئة مليار دولار');
  });
});
