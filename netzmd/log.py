"""The log grammar: one list item in, an Entry / OpenTask / BadDate (or nothing) out.

INTERFACE (implemented by the log-grammar helper).
