/// Small pieces of English the outputs share.
public enum Wording {
  /// `word`, or its plural with an `s` when `count` is not 1 ("1 record", "3 records").
  public static func plural(_ count: Int, _ word: String) -> String {
    count == 1 ? word : word + "s"
  }

  /// "3 records": the count and the word, in the plural when it needs it.
  public static func count(_ count: Int, _ word: String) -> String {
    "\(count) \(plural(count, word))"
  }
}
