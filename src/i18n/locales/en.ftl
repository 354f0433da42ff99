# The bot's own words in English, for readers whose Telegram is in English. Quotes stay in Arabic.

welcome =
    Hello { $name }! 👋
    I answer questions about the news articles I hold by quoting their sentences exactly as written, each with its source.

    Try asking, in Arabic:
    • { example-question-1 }
    • { example-question-2 }

    Commands: /help for help, /sources for the list of articles.
example-question-1 = ما موقف روسيا من قضية تايوان؟
example-question-2 = كم بلغت قيمة التجارة الثنائية بين الصين وروسيا؟
help =
    Write your question in Arabic and I reply with the sentences of the articles that answer it, each with its title, outlet and date.

    • “More” shows further quotes for the same question.
    • “Context” shows the sentences around a quote in its article.
    • In groups: use /ask and the question, mention me, or reply to one of my messages.
    • In any chat: type my name and the question to send a quote directly.
    • Follow up with a short question such as ⁨«ومتى حدث ذلك؟»⁩ (“and when did that happen?”) or ⁨«وماذا عن الهند؟»⁩ (“and what about India?”) and I read it with the question before; /new starts afresh.

    /sources lists the articles I hold.
sources-header = Articles ({ $count }):
not-found =
    I found nothing in the articles that answers this question. 🙏
    Try other words, or more precise ones: the name of a person, a country or an event.
not-found-short = I found nothing in the articles that answers this question.
unsupported-language =
    I search the articles in Arabic only, so please ask your question in Arabic. For example:
    { example-question-1 }
no-more = There are no further quotes for this question.
non-text = I only understand text messages: please type your question. ✍️
empty-ask = Write the question after the command, for example: /ask { example-question-1 }
expired = This button has expired. Please ask the question again.
context-gone = This article is no longer available.
context-header = Context:
not-allowed = Sorry, this bot is not available in this chat.
rate-limited = Please slow down a little 🙂 I will answer your new questions in a minute.
failure = Sorry, something went wrong while handling your message. Please try again shortly.
more = More
context = Context { $n }
also-in = Also reported in:

# Follow-up questions
understood-as = Your question as I understood it: { $question }
new-conversation = All right, a fresh start: I will read your next question on its own, without the one before.

# The command menu (descriptions shown by Telegram next to each command)
command-start = Start, with example questions
command-help = How to use the bot
command-sources = The articles I hold
command-ask = Ask a question (in groups)
command-new = New conversation: forget the previous question
command-reindex = Rebuild the index (editors)
command-add = Add an article: text after the command, or a .txt/.md file (editors)
command-remove = Remove an article by its id (editors)

# Editors' commands
admin-only = Sorry, only the archive's editors may use this command.
admin-busy = The index is being rebuilt right now; please try again when it is done.
admin-locked = Another process is building the index right now (the command line, perhaps); please try again shortly.
admin-failed = The index could not be rebuilt: { $reason }
admin-not-live = ⚠️ The new index was built, but the bot could not switch to it; see the logs.
unknown = not stated
build-figures = Articles: { $articles } · added: { $added } · changed: { $changed } · removed: { $removed } · { $seconds } s
build-skipped = Files not indexed: { $files }
reindex-started = ⏳ Rebuilding the index…
reindex-progress = ⏳ Rebuilding the index: { $done } of { $total } passages
reindex-done = ✅ The index is rebuilt.
reindex-shrink-refused = ⚠️ Not published: this rebuild would remove { $removed } of the { $published } articles{ $skipped ->
        [0] {""}
       *[other] {" "}({ $skipped } files could not be read)
    }. The current index stays live. Check the corpus folder; to publish it anyway, send /reindex allow-shrink
add-usage = Write the article's text after /add (it may start with YAML front matter: title, source, date, url), or its link (a page, a feed or a sitemap), or send a .txt or .md file.
add-downloading = 📥 Downloading the file…
add-saved = 📄 Saved the article as { $id }; indexing it…
add-done =
    ✅ Article added to the archive:
    { $title }
    { $outlet } · { $date }
    id: { $id }
add-saved-not-indexed = ⚠️ Saved the article as { $id }, but the index could not be rebuilt: { $reason }. Try again with /reindex.
add-bad-type = I accept .txt and .md files only.
add-too-large = The article is larger than the limit ({ $limit }).
add-not-utf8 = The file is not UTF-8 text.
add-empty = The article is empty.
add-bad-front-matter = The article's front matter is not valid: { $reason }
add-no-text = I found no article text in it.
add-exists = The archive already has an article with the id { $id }. To replace it, remove it first with /remove { $id }, then send it again.
add-download-failed = The file could not be downloaded from Telegram; please send it again.
add-fetching = 🌐 Fetching the link…
add-link-done =
    ✅ Article added to the archive:
    { $title }
    { $outlet } · { $date }
    { $url }
add-link-updated =
    ✅ Article updated in the archive:
    { $title }
    { $outlet } · { $date }
    { $url }
add-link-unchanged =
    The archive already has this article, unchanged:
    { $title }
    { $outlet } · { $date }
    id: { $id }
add-link-feed = ✅ Feed read: { $added } added · { $updated } updated · { $unchanged } already there · { $refused } refused
add-link-refused = ⛔ The link was not added: { $reason }
add-link-unavailable = Adding articles by link is not enabled in this bot.
remove-usage = Write the article's id after the command, for example: /remove { $example } (/sources shows the ids).
remove-not-found = The archive has no article with the id { $id }.
remove-last = The last article of the archive cannot be removed.
remove-started = 🗑 Removed the file of { $id }; rebuilding the index…
remove-done = ✅ Removed «{ $title }» ({ $id }) from the archive and the index.
remove-not-indexed = ⚠️ Removed the file of { $id }, but the index could not be rebuilt: { $reason }. Try again with /reindex.
