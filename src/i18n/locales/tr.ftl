# Only the message for questions the model cannot read, in the asker's language.
unsupported-language =
    Makalelerde yalnızca Arapça arama yapıyorum: lütfen sorunuzu Arapça yazın. Örneğin:
    { example-question-1 }
example-question-1 = ما موقف روسيا من قضية تايوان؟
