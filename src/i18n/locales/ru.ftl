# Only the message for questions the model cannot read, in the asker's language.
unsupported-language =
    Я ищу в статьях только на арабском языке: пожалуйста, задайте вопрос по-арабски. Например:
    { example-question-1 }
example-question-1 = ما موقف روسيا من قضية تايوان؟
