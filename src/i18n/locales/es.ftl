# Only the message for questions the model cannot read, in the asker's language.
unsupported-language =
    Busco en los artículos solo en árabe: por favor, escribe tu pregunta en árabe. Por ejemplo:
    { example-question-1 }
example-question-1 = ما موقف روسيا من قضية تايوان؟
