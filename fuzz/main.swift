// libFuzzer target for the record parser and canonical printer.
//
// Built by fuzz/build.sh together with Sources/TallyText/*.swift as one module
// (`-module-name TallyText`), so internal API is visible here. Every check traps with
// `fatalError` (or is caught by AddressSanitizer), which libFuzzer reports as a crash
// and saves as fuzz/crash-<sha1>.
//
// Invariants, for every input:
//   - parsing never traps (ParseResult documents this);
//   - every diagnostic (and note) range lies within 0...bytes.count;
//   - a rejected input has an error diagnostic, an accepted one has none;
//   - rendering the diagnostics never traps.
// For every accepted input, with P = CanonicalPrinter().printBytes:
//   (a) P(doc) parses again without errors,
//   (b) the re-parsed value equals the original value,
//   (c) P(reparsed) == P(doc)  (printing is idempotent).

let fuzzPath = "f.yaml"

@inline(never)
func fuzzFail(_ what: String, _ input: [UInt8], _ printed: [UInt8]? = nil) -> Never {
  var message = "INVARIANT VIOLATED: \(what)\n  input (\(input.count) bytes): \(fuzzLiteral(input))\n"
  if let printed {
    message += "  printed (\(printed.count) bytes): \(fuzzLiteral(printed))\n"
  }
  fatalError(message)
}

/// `bytes` as a Swift string literal when it is UTF-8, else as a hex byte list.
func fuzzLiteral(_ bytes: [UInt8]) -> String {
  if let text = String(validating: bytes, as: UTF8.self) {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
          || scalar.value == 0xFEFF
        {
          out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
  let hex = "0123456789ABCDEF".map { $0 }
  return "[" + bytes.map { "0x\(hex[Int($0 >> 4)])\(hex[Int($0 & 0xF)])" }.joined(separator: ", ") + "]"
}

func checkRanges(_ diagnostics: [Diagnostic], count: Int, _ input: [UInt8], _ stage: String) {
  func check(_ range: SourceRange?, _ code: String) {
    guard let range else { return }
    let s = range.start.offset
    let e = range.end.offset
    if s < 0 || s > count || e < 0 || e > count {
      fuzzFail("\(stage): diagnostic [\(code)] range \(s)..<\(e) outside 0...\(count)", input)
    }
  }
  for diagnostic in diagnostics {
    check(diagnostic.range, diagnostic.code)
    for note in diagnostic.notes where note.path == nil || note.path == diagnostic.path {
      check(note.range, diagnostic.code + " (note)")
    }
  }
}

func fuzzOne(_ bytes: [UInt8]) {
  let result = Document.parse(bytes, path: fuzzPath)
  checkRanges(result.diagnostics, count: bytes.count, bytes, "parse")

  // The renderer slices the source by these ranges: it must not trap on any of them.
  // Rendering is most of the time per input, so render once, in color for odd lengths
  // (deterministic per input, and both paths get covered).
  let renderer = DiagnosticRenderer(color: bytes.count % 2 == 1)
  let rendered = renderer.render(result.diagnostics, file: SourceFile(path: fuzzPath, bytes: bytes))
  if !result.diagnostics.isEmpty && rendered.isEmpty {
    fuzzFail("renderer produced no text for \(result.diagnostics.count) diagnostics", bytes)
  }

  guard let document = result.document else {
    if !result.diagnostics.hasErrors {
      fuzzFail("rejected without an error diagnostic", bytes)
    }
    return
  }
  if result.diagnostics.hasErrors {
    fuzzFail("accepted with error diagnostics", bytes)
  }

  let printer = CanonicalPrinter()
  let printed = printer.printBytes(document)

  // (a) The canonical text parses again.
  let reparsed = Document.parse(printed, path: fuzzPath)
  checkRanges(reparsed.diagnostics, count: printed.count, bytes, "reparse")
  guard let again = reparsed.document else {
    let codes = reparsed.diagnostics.map { "\($0.code)@\($0.range?.description ?? "-"): \($0.message)" }
    fuzzFail("(a) canonical output does not parse: \(codes.joined(separator: "; "))", bytes, printed)
  }

  // (b) It means the same.
  if again.value != document.value {
    fuzzFail(
      "(b) re-parsed value differs\n  original: \(document.value)\n  reparsed: \(again.value)", bytes, printed)
  }

  // (c) Printing is idempotent.
  let printedAgain = printer.printBytes(again)
  if printedAgain != printed {
    fuzzFail("(c) printing is not idempotent; second print: \(fuzzLiteral(printedAgain))", bytes, printed)
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes: [UInt8] = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
  fuzzOne(bytes)
  return 0
}
