# Only the message for questions the model cannot read, in the asker's language.
unsupported-language =
    Je cherche dans les articles en arabe uniquement : posez votre question en arabe, s’il vous plaît. Par exemple :
    { example-question-1 }
example-question-1 = ما موقف روسيا من قضية تايوان؟
