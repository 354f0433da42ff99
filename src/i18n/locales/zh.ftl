# Only the message for questions the model cannot read, in the asker's language.
unsupported-language =
    我只用阿拉伯语检索这些文章，请用阿拉伯语提问。例如：
    { example-question-1 }
example-question-1 = ما موقف روسيا من قضية تايوان؟
