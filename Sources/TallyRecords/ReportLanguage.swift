/// The language reports and pages are written in for people: English, or the team's Chinese.
/// Only the words people read change (titles, fixed words, notes); the keys programs read
/// (JSON and CSV keys, section and column keys) are the same in every language.
///
/// A repository names its own in `tally.yaml` (`language: zh`); `tally report --lang` and the
/// web server's page language choose another.
public enum ReportLanguage: String, Sendable, CaseIterable {
  case en
  case zh

  /// The same words in this language: `language("Headcount by role", "各职位人数")`.
  ///
  /// - Parameters:
  ///   - english: The English words.
  ///   - chinese: The Chinese words.
  /// - Returns: The words in this language.
  public func callAsFunction(_ english: String, _ chinese: String) -> String {
    self == .zh ? chinese : english
  }

  /// The HTML `lang` attribute of a page in this language.
  public var htmlTag: String { self == .zh ? "zh-CN" : "en" }
}
