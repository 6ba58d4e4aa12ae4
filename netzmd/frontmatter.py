"""Strict YAML front matter: BOM, CRLF, YAML 1.2-like scalars, positions in file lines.

INTERFACE (implemented by the front-matter helper; the rest of netzmd relies on it):

    decode(data: bytes) -> str
        UTF-8 with optional BOM (BOM stripped). Raises UnicodeDecodeError if invalid.

    split_lines(text: str) -> list[str]
        Physical lines without their line endings (LF or CRLF; a lone CR is not a break).
        A final newline does not create an extra empty line.

    parse_document(text: str) -> Document
        Document(fields, key_lines, body_start, problem)
        - fields: dict[str, Any] top-level front matter ({} when none or on error)
        - key_lines: dict[str, int] 1-based file line of each top-level key
        - body_start: 1-based file line number of the first body line
          (1 when there is no front matter; the line after the closing '---' otherwise;
          for never-closed front matter: 1, i.e. the whole file is body)
        - problem: YamlProblem(line, column, message) | None, line/column 1-based in the
          file (the '---' line is line 1); column may be None.

    StrictYAMLHandler: a python-frontmatter handler using the same strict loader.
