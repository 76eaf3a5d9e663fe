/// Every diagnostic code the record-format parser can report, with a one-line summary.
///
/// `docs/diagnostics.md` lists them; a test checks that each has a reproducer file and a
/// golden rendering, and that the documentation is up to date.
public enum TextDiagnosticCodes {
  public static let all: [(code: String, summary: String)] = [
    ("invalid-utf8", "the file is not valid UTF-8 (the byte offset is given)"),
    ("file-too-large", "the file is larger than the 4 MiB limit"),
    ("control-character", "a control character, line separator or byte order mark inside the text"),
    ("bare-cr", "a carriage return that is not part of a CRLF line ending"),
    ("tab-indent", "a tab in the indentation of a line, or starting block text that has no indentation indicator"),
    ("tab-separator", "a tab between a key and its value, or inside a plain value"),
    ("anchor", "an anchor (&name): repeat the value instead"),
    ("alias", "an alias (*name): repeat the value instead"),
    ("tag", "a tag (!tag, !!str): the schema gives values their types"),
    ("directive", "a directive line (%YAML, %TAG)"),
    ("document-marker", "a document marker (--- or ...): one record per file"),
    ("complex-key", "a complex key (? key) or a list or mapping used as a key"),
    ("merge-key", "a merge key (<<)"),
    ("duplicate-key", "a key that appears twice in one mapping"),
    ("flow-mapping", "a flow mapping with content ({a: b}); only {} is allowed"),
    ("nested-flow", "a list or mapping inside [ ]"),
    ("multiline-flow", "a [ ] list that does not close on its line"),
    ("empty-item", "an empty item in [ ] (two commas in a row)"),
    ("too-deep", "nesting deeper than 64 levels"),
    ("key-too-long", "a key longer than 256 bytes"),
    ("unexpected-indent", "a line indented where nothing can be"),
    ("multiline-plain", "a plain value that goes on to the next line"),
    ("multiline-quoted", "a quoted value that does not end on its line"),
    ("missing-colon-space", "'key:value' without a space after the colon"),
    ("expected-key", "a line that is not 'key: value' where a key was expected"),
    ("missing-key", "': value' with no key"),
    ("colon-in-value", "': ' inside a plain value, or ':' inside a [ ] item"),
    ("reserved-character", "a value starting with a character YAML reserves (% @ ` , ] })"),
    ("invalid-escape", "an unknown or malformed escape in a double-quoted value"),
    ("unexpected-text", "text after a complete value on the same line"),
    ("not-a-mapping", "a file that is empty or holds a list instead of a mapping of fields"),
    ("inline-sequence", "a list starting on its key's line ('key: - item')"),
    ("block-header", "a malformed block scalar header (| or > with bad indicators or text)"),
    ("block-indent", "empty lines at the start of block text indented more than the text"),
    ("merge-conflict", "an unresolved git merge conflict (<<<<<<<, =======, >>>>>>> lines), with the field it is in"),
    ("too-many-errors", "(note) more than 200 problems in one file; the rest are not shown"),
  ]
}
