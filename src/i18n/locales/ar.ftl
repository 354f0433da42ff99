# The bot's own words in Arabic (the default). Quotes are never translated.

welcome =
    أهلا { $name }! 👋
    أجيب عن أسئلتك حول الأخبار المحفوظة لدي باقتباس الجمل كما وردت في المقالات، مع مصدر كل اقتباس.

    جرّب أن تسأل مثلا:
    • { example-question-1 }
    • { example-question-2 }

    الأوامر: /help للمساعدة، /sources لقائمة المقالات.
example-question-1 = ما موقف روسيا من قضية تايوان؟
example-question-2 = كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟
help =
    اكتب سؤالك بالعربية وسأرد بالجمل التي تجيب عنه من المقالات، وتحت كل اقتباس عنوانه ومصدره وتاريخه.

    • زر «المزيد» يعرض اقتباسات أخرى للسؤال نفسه.
    • زر «السياق» يعرض الجمل المحيطة بالاقتباس في مقاله.
    • في المجموعات: استخدم /ask ثم السؤال، أو اذكرني، أو رد على إحدى رسائلي.
    • في أي محادثة: اكتب اسمي ثم السؤال لإرسال اقتباس مباشرة.
    • تابع سؤالك بسؤال قصير مثل «ومتى حدث ذلك؟» أو «وماذا عن الهند؟» وسأربطه بالسؤال السابق؛ /new يبدأ محادثة جديدة.

    /sources قائمة المقالات المتاحة.
sources-header = المقالات المتاحة ({ $count }):
not-found =
    لم أجد في المقالات ما يجيب عن هذا السؤال. 🙏
    جرّب صياغة أخرى أو كلمات أدق، مثل اسم شخص أو بلد أو حدث.
not-found-short = لم أجد في المقالات ما يجيب عن هذا السؤال.
unsupported-language =
    أبحث في المقالات بالعربية فقط، فاكتب سؤالك بالعربية من فضلك. مثلا:
    { example-question-1 }
no-more = لا توجد اقتباسات أخرى لهذا السؤال.
non-text = أفهم الرسائل النصية فقط: اكتب سؤالك من فضلك. ✍️
empty-ask = اكتب السؤال بعد الأمر، مثلا: /ask { example-question-1 }
expired = انتهت صلاحية هذا الزر. أعد طرح السؤال من فضلك.
context-gone = لم يعد هذا المقال متاحا.
context-header = السياق:
not-allowed = عذرا، هذا البوت غير متاح في هذه المحادثة.
rate-limited = تمهّل قليلا من فضلك 🙂 سأجيب عن أسئلتك الجديدة بعد دقيقة.
failure = عذرا، حدث خطأ أثناء معالجة رسالتك. حاول مرة أخرى بعد قليل.
more = المزيد
context = السياق { $n }
also-in = وورد أيضا في:

# Follow-up questions
understood-as = سؤالك كما فهمته: { $question }
new-conversation = حسنا، نبدأ من جديد: سأقرأ سؤالك التالي وحده دون ربطه بما قبله.

# The command menu (descriptions shown by Telegram next to each command)
command-start = البداية وأمثلة على الأسئلة
command-help = كيف أستخدم البوت
command-sources = قائمة المقالات
command-ask = طرح سؤال (في المجموعات)
command-new = محادثة جديدة: لا ربط بالسؤال السابق
command-reindex = تحديث الفهرس (للمحررين)
command-add = إضافة مقال: النص بعد الأمر أو ملف ‎.txt/.md (للمحررين)
command-remove = حذف مقال بمعرّفه (للمحررين)

# Editors' commands
admin-only = عذرا، هذا الأمر متاح لمحرري الأرشيف فقط.
admin-busy = يجري الآن تحديث للفهرس؛ أعد المحاولة بعد انتهائه.
admin-locked = عملية أخرى تبني الفهرس الآن (من سطر الأوامر مثلا)؛ أعد المحاولة بعد قليل.
admin-failed = تعذّر تحديث الفهرس: { $reason }
admin-not-live = ⚠️ بُني الفهرس الجديد لكن البوت لم يتمكن من الانتقال إليه؛ راجع السجلات.
unknown = غير مذكور
build-figures = المقالات: { $articles } · أضيف: { $added } · تغيّر: { $changed } · حُذف: { $removed } · { $seconds } ث
build-skipped = ملفات لم تُفهرس: { $files }
reindex-started = ⏳ جارٍ تحديث الفهرس…
reindex-progress = ⏳ جارٍ تحديث الفهرس: { $done } من { $total } مقطعا
reindex-done = ✅ اكتمل تحديث الفهرس.
reindex-shrink-refused = ⚠️ لم يُنشر الفهرس الجديد: كان سيحذف { $removed } من أصل { $published } مقالا{ $skipped ->
        [0] {""}
       *[other] {" "}(تعذّرت قراءة { $skipped } ملفات)
    }. يبقى الفهرس الحالي قيد العمل. راجع مجلد المقالات؛ ولنشره مع ذلك أرسل /reindex allow-shrink
add-usage = اكتب نص المقال بعد الأمر /add (يمكن أن يبدأ بترويسة YAML فيها title وsource وdate وurl)، أو رابط المقال أو خلاصته، أو أرسل ملف ‎.txt أو ‎.md.
add-downloading = 📥 جارٍ تنزيل الملف…
add-saved = 📄 حُفظ المقال باسم { $id }؛ جارٍ فهرسته…
add-done =
    ✅ أضيف المقال إلى الأرشيف:
    { $title }
    { $outlet } · { $date }
    المعرّف: { $id }
add-saved-not-indexed = ⚠️ حُفظ المقال باسم { $id } لكن تعذّر تحديث الفهرس: { $reason }. أعد المحاولة بالأمر /reindex.
add-bad-type = أقبل ملفات ‎.txt و‎.md فقط.
add-too-large = المقال أكبر من الحد المسموح ({ $limit }).
add-not-utf8 = الملف ليس نصا بترميز UTF-8.
add-empty = المقال فارغ.
add-bad-front-matter = ترويسة المقال غير صالحة: { $reason }
add-no-text = لم أجد في الملف نصا لمقال.
add-exists = يوجد في الأرشيف مقال بالمعرّف { $id }. لاستبداله احذفه أولا بالأمر /remove { $id } ثم أرسله من جديد.
add-download-failed = تعذّر تنزيل الملف من تيليغرام؛ أعد إرساله من فضلك.
add-fetching = 🌐 جارٍ جلب الرابط…
add-link-done =
    ✅ أضيف المقال إلى الأرشيف:
    { $title }
    { $outlet } · { $date }
    { $url }
add-link-updated =
    ✅ حُدّث المقال في الأرشيف:
    { $title }
    { $outlet } · { $date }
    { $url }
add-link-unchanged =
    المقال موجود في الأرشيف ولم يتغير:
    { $title }
    { $outlet } · { $date }
    المعرّف: { $id }
add-link-feed = ✅ قُرئت الخلاصة: أضيف { $added } · حُدّث { $updated } · موجود من قبل { $unchanged } · رُفض { $refused }
add-link-refused = ⛔ لم يُضف الرابط: { $reason }
add-link-unavailable = إضافة المقالات بالروابط غير مفعّلة في هذا البوت.
remove-usage = اكتب معرّف المقال بعد الأمر، مثلا: /remove { $example } (تجد المعرّفات في /sources).
remove-not-found = لا يوجد في الأرشيف مقال بالمعرّف { $id }.
remove-last = لا يمكن حذف آخر مقال في الأرشيف.
remove-started = 🗑 حُذف ملف المقال { $id }؛ جارٍ تحديث الفهرس…
remove-done = ✅ حُذف المقال «{ $title }» ({ $id }) من الأرشيف والفهرس.
remove-not-indexed = ⚠️ حُذف ملف المقال { $id } لكن تعذّر تحديث الفهرس: { $reason }. أعد المحاولة بالأمر /reindex.
