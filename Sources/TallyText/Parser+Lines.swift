/// The first pass over a file: UTF-8 validation, characters YAML readers disagree on,
/// and a table of lines that the structural pass walks.
extension Parser {
  struct Line {
    /// Offset of the line's first byte.
    var start: Int
    /// Offset after the line's last content byte (before `\r\n` or `\n`).
    var end: Int
    /// Number of leading spaces.
    var indent: Int
    /// Offset of the first byte that is neither a space nor a tab (`end` when none).
    var firstNonBlank: Int
    /// Offset of a tab among the leading blanks, or -1.
    var leadingTab: Int
    var kind: Kind
    /// Whether the line ends with a line break (the last line of a file may not).
    var hasBreak: Bool
    /// Whether the line is all ASCII (columns are then byte offsets).
    var ascii: Bool

    enum Kind {
      case blank
      case comment
      case content
    }
  }

  /// Splits the file into lines, validates UTF-8 and reports characters that are not
  /// allowed anywhere. Returns the offset of the first byte that is not valid UTF-8, if any
  /// (then the lines and diagnostics are incomplete and must not be used).
  mutating func scanLines(from begin: Int) -> Int? {
    let count = buf.count
    guard count > begin, let base = buf.baseAddress else { return nil }
    var lineStart = begin
    var i = begin
    lines.reserveCapacity(count / 16 + 1)
    while lineStart < count {
      // Leading spaces (eight at a time), then the first non-blank byte.
      var j = lineStart
      while j + 8 <= count {
        let other = ByteWord.other(ByteWord.load(base, j), than: 0x20)
        if other != 0 {
          j += ByteWord.first(other)
          break
        }
        j += 8
      }
      while j < count, buf[j] == 0x20 { j += 1 }
      let indent = j - lineStart
      var leadingTab = -1
      while j < count, buf[j] == 0x20 || buf[j] == 0x09 {
        if buf[j] == 0x09, leadingTab < 0 { leadingTab = j }
        j += 1
      }
      let firstNonBlank = j
      // Find the end of the line, checking characters on the way.
      i = j
      var end = count
      var next = count
      var hasBreak = false
      var ascii = true
      while i < count {
        // Eight printable ASCII bytes at a time; at a word that has another byte, go
        // straight to the first such byte.
        while i + 8 <= count {
          let w = ByteWord.load(base, i)
          let special = ByteWord.below(w, 0x20) | ByteWord.notASCIIPrintable(w)
          if special != 0 {
            i += ByteWord.first(special)
            break
          }
          i += 8
        }
        guard i < count else { break }
        let b = buf[i]
        if b >= 0x20 && b < 0x7F {
          i += 1
          continue
        }
        if b < 0x80 {
          if b == 0x0A {
            end = i
            next = i + 1
            hasBreak = true
            break
          }
          if b == 0x0D {
            if i + 1 < count, buf[i + 1] == 0x0A {
              usedCRLF = true
              end = i
              next = i + 2
              hasBreak = true
              break
            }
            report(
              .error, "bare-cr", "a carriage return without a line feed",
              at: i, length: 1, lineStart: lineStart,
              hint: "save the file with LF (or CRLF) line endings")
            i += 1
            continue
          }
          if b != 0x09 {
            reportControl(UInt32(b), at: i, length: 1, lineStart: lineStart)
          }
          i += 1
          continue
        }
        ascii = false
        // A run of three-byte characters that need no second look (CJK text and its
        // punctuation are made of them), read four bytes at a time without going back to the
        // ASCII scan between characters: a lead byte from E1 to EF with no overlong,
        // surrogate (ED) or special (E2: line separators; EF BB, EF BF: byte-order marks,
        // non-characters) forms, and two continuation bytes.
        var run = i
        while run + 4 <= count {
          let w = UInt32(littleEndian: UnsafeRawPointer(base + run).loadUnaligned(as: UInt32.self))
          let lead = w & 0xFF
          guard w & 0x00C0_C000 == 0x0080_8000, lead >= 0xE1, lead != 0xE2, lead != 0xED, lead <= 0xEF else { break }
          if lead == 0xEF {
            let second = (w >> 8) & 0xFF
            if second == 0xBB || second == 0xBF { break }
          }
          run += 3
        }
        if run > i {
          i = run
          continue
        }
        // Any other multi-byte character (or one that ends the file, with no four bytes to
        // read): validate it, then look for the ones YAML readers disagree on.
        let length = Parser.utf8SequenceLength(base, i, count)
        if length == 0 { return i }
        if b == 0xC2, buf[i + 1] <= 0x9F {
          reportControl(UInt32(buf[i + 1]), at: i, length: 2, lineStart: lineStart)
        } else if b == 0xE2, buf[i + 1] == 0x80, buf[i + 2] == 0xA8 || buf[i + 2] == 0xA9 {
          reportControl(buf[i + 2] == 0xA8 ? 0x2028 : 0x2029, at: i, length: 3, lineStart: lineStart)
        } else if b == 0xEF {
          if buf[i + 1] == 0xBB, buf[i + 2] == 0xBF {
            reportControl(0xFEFF, at: i, length: 3, lineStart: lineStart)
          } else if buf[i + 1] == 0xBF, buf[i + 2] == 0xBE || buf[i + 2] == 0xBF {
            reportControl(buf[i + 2] == 0xBE ? 0xFFFE : 0xFFFF, at: i, length: 3, lineStart: lineStart)
          }
        }
        i += length
      }
      let kind: Line.Kind
      if firstNonBlank >= end {
        kind = .blank
      } else if buf[firstNonBlank] == UInt8(ascii: "#") {
        kind = .comment
      } else {
        kind = .content
      }
      lines.append(
        Line(
          start: lineStart, end: end, indent: indent, firstNonBlank: min(firstNonBlank, end),
          leadingTab: leadingTab < end ? leadingTab : -1, kind: kind, hasBreak: hasBreak, ascii: ascii))
      if next <= lineStart { break }
      lineStart = next
    }
    return nil
  }

  /// The length of the valid UTF-8 sequence starting with the non-ASCII byte at `i`, or 0
  /// when the bytes there are not valid UTF-8.
  @inline(__always)
  static func utf8SequenceLength(_ base: UnsafePointer<UInt8>, _ i: Int, _ count: Int) -> Int {
    let b0 = base[i]
    @inline(__always) func cont(_ k: Int) -> Bool { k < count && base[k] & 0xC0 == 0x80 }
    switch b0 {
    case 0xC2...0xDF:
      return cont(i + 1) ? 2 : 0
    case 0xE0:
      return i + 1 < count && base[i + 1] >= 0xA0 && base[i + 1] <= 0xBF && cont(i + 2) ? 3 : 0
    case 0xE1...0xEC, 0xEE...0xEF:
      return cont(i + 1) && cont(i + 2) ? 3 : 0
    case 0xED:
      return i + 1 < count && base[i + 1] >= 0x80 && base[i + 1] <= 0x9F && cont(i + 2) ? 3 : 0
    case 0xF0:
      return i + 1 < count && base[i + 1] >= 0x90 && base[i + 1] <= 0xBF && cont(i + 2) && cont(i + 3) ? 4 : 0
    case 0xF1...0xF3:
      return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0
    case 0xF4:
      return i + 1 < count && base[i + 1] >= 0x80 && base[i + 1] <= 0x8F && cont(i + 2) && cont(i + 3) ? 4 : 0
    default:
      return 0
    }
  }

  mutating func reportControl(_ scalar: UInt32, at offset: Int, length: Int, lineStart: Int) {
    let name = "U+" + String(scalar, radix: 16, uppercase: true).leftPadded(to: 4)
    let what: String
    switch scalar {
    case 0x85: what = "the next-line character \(name)"
    case 0x2028: what = "the line separator \(name)"
    case 0x2029: what = "the paragraph separator \(name)"
    case 0xFEFF: what = "a byte order mark (\(name)) inside the file"
    case 0xFFFE, 0xFFFF: what = "the non-character \(name)"
    default: what = "the control character \(name)"
    }
    let escape: String
    switch scalar {
    case 0x85: escape = "\\N"
    case 0x2028: escape = "\\L"
    case 0x2029: escape = "\\P"
    case 0: escape = "\\0"
    case 0x07: escape = "\\a"
    case 0x08: escape = "\\b"
    case 0x0B: escape = "\\v"
    case 0x0C: escape = "\\f"
    case 0x1B: escape = "\\e"
    default:
      escape =
        scalar <= 0xFF
        ? "\\x" + String(scalar, radix: 16, uppercase: true).leftPadded(to: 2)
        : "\\u" + String(scalar, radix: 16, uppercase: true).leftPadded(to: 4)
    }
    report(
      .error, "control-character", "\(what) is not allowed in a record file",
      at: offset, length: length, lineStart: lineStart,
      hint: "remove it, or write it as the escape \"\(escape)\" inside a double-quoted value")
  }
}

extension String {
  func leftPadded(to width: Int, with pad: Character = "0") -> String {
    count >= width ? self : String(repeating: pad, count: width - count) + self
  }
}
