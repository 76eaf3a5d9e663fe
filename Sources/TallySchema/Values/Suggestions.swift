/// "Did you mean …?" for misspelled field names and values.
public enum Suggestions {
  /// The candidate closest to `text` by edit distance (case-insensitive), when it is close
  /// enough to be a likely typo: at most 1 edit for short words, 2 for longer ones.
  public static func closest(to text: String, among candidates: some Sequence<String>, maxDistance: Int = 2) -> String?
  {
    closest(to: text, among: candidates, maxDistance: maxDistance) { _ in true }
  }

  /// The closest candidate to `text` (as ``closest(to:among:maxDistance:)`` finds it) that
  /// `accepting` takes: candidates are offered closest first (ties: the smallest), and
  /// `accepting` is asked only of those close enough, until it takes one.
  public static func closest(
    to text: String, among candidates: some Sequence<String>, maxDistance: Int = 2,
    accepting: (String) -> Bool
  ) -> String? {
    let lowered = Array(text.lowercased())
    guard !lowered.isEmpty else { return nil }
    var close: [(candidate: String, distance: Int)] = []
    for candidate in candidates {
      let other = Array(candidate.lowercased())
      // One or two letters are all within one edit of each other: no guess is helpful.
      if max(lowered.count, other.count) <= 2, lowered != other { continue }
      let limit = min(maxDistance, max(lowered.count, other.count) <= 4 ? 1 : 2)
      guard abs(other.count - lowered.count) <= limit else { continue }
      let distance = editDistance(lowered, other, limit: limit)
      if distance <= limit { close.append((candidate, distance)) }
    }
    // Ties go to the smallest candidate: the same hint whatever order candidates come in
    // (the ids of a type come from a dictionary).
    close.sort { ($0.distance, $0.candidate) < ($1.distance, $1.candidate) }
    return close.first { accepting($0.candidate) }?.candidate
  }

  /// Damerau-Levenshtein distance (adjacent swaps count as one edit), stopping early above
  /// `limit`.
  static func editDistance(_ a: [Character], _ b: [Character], limit: Int) -> Int {
    if a == b { return 0 }
    let n = a.count
    let m = b.count
    var previous2 = [Int](repeating: 0, count: m + 1)
    var previous = Array(0...m)
    var current = [Int](repeating: 0, count: m + 1)
    for i in 1...max(n, 1) where n > 0 {
      current[0] = i
      var rowMinimum = current[0]
      for j in 1...max(m, 1) where m > 0 {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          value = min(value, previous2[j - 2] + 1)
        }
        current[j] = value
        rowMinimum = min(rowMinimum, value)
      }
      if rowMinimum > limit { return limit + 1 }
      previous2 = previous
      previous = current
    }
    return n == 0 ? m : previous[m]
  }
}
