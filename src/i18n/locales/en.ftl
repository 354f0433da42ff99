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
