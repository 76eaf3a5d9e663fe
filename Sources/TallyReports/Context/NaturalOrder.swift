/// The order people expect names with numbers in: 华东一组, 华东二组, 华东三组, 华东四组 —
/// and Team 2 before Team 10 — where code points would give 一, 三, 二, 四 (U+4E00, U+4E09,
/// U+4E8C, U+56DB).
///
/// A name is read as runs of numbers (ASCII digits, or Chinese numerals such as 二, 十二,
/// 二十三, 一百零五) and single characters. Names compare run by run: numbers by value,
/// characters by code point, a number before a character. Names that compare equal this way
/// ("2组" and "二组") are ordered by their text, so the order is total.
public enum NaturalOrder {
  enum Token: Comparable {
    case number(Int)
    case character(UInt32)
  }

  /// Whether `a` comes before `b`.
  public static func precedes(_ a: String, _ b: String) -> Bool {
    let (left, right) = (tokens(a), tokens(b))
    if left != right { return left.lexicographicallyPrecedes(right) }
    return a < b
  }

  /// `names` sorted in natural order.
  public static func sorted(_ names: some Sequence<String>) -> [String] {
    names.map { (tokens($0), $0) }.sorted { $0.0 != $1.0 ? $0.0.lexicographicallyPrecedes($1.0) : $0.1 < $1.1 }
      .map(\.1)
  }

  static let chineseDigits: [Character: Int] = [
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
  ]
  static let chineseUnits: [Character: Int] = ["十": 10, "百": 100, "千": 1000]

  static func tokens(_ text: String) -> [Token] {
    var result: [Token] = []
    var characters = Array(text)[...]
    while let first = characters.first {
      if first.isASCII, let digit = first.wholeNumberValue {
        var value = digit
        characters.removeFirst()
        while let next = characters.first, next.isASCII, let digit = next.wholeNumberValue {
          value = value > Int.max / 100 ? value : value * 10 + digit
          characters.removeFirst()
        }
        result.append(.number(value))
      } else if chineseDigits[first] != nil || chineseUnits[first] != nil {
        result.append(.number(chineseNumber(&characters)))
      } else {
        result.append(contentsOf: String(first).unicodeScalars.map { .character($0.value) })
        characters.removeFirst()
      }
    }
    return result
  }

  /// Reads a Chinese numeral from the start of `characters`: 十二 → 12, 二十 → 20, 一百零五 →
  /// 105, 一二 → 12 (digits one after another).
  static func chineseNumber(_ characters: inout ArraySlice<Character>) -> Int {
    var total = 0
    var digit: Int?
    while let next = characters.first, total < 1_000_000 {
      if let value = chineseDigits[next] {
        digit = (digit ?? 0) * 10 + value
      } else if let unit = chineseUnits[next] {
        total += (digit ?? 1) * unit
        digit = nil
      } else {
        break
      }
      characters.removeFirst()
    }
    return total + (digit ?? 0)
  }
}
