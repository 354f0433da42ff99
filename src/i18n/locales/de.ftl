# Only the message for questions the model cannot read, in the asker's language.
unsupported-language =
    Ich durchsuche die Artikel nur auf Arabisch: Bitte stelle deine Frage auf Arabisch. Zum Beispiel:
    { example-question-1 }
example-question-1 = ما موقف روسيا من قضية تايوان؟
