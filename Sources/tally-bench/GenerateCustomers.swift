import TallyText

/// `tally-bench generate-customers DIR --count N --seed S`: writes the corpus and checks
/// every file: it parses with TallyText without a diagnostic, and it is already in
/// canonical form (printing it gives the same bytes).
enum GenerateCustomers {
  static func run(directory: String, count: Int, seed: UInt64) throws(BenchError) {
    guard count > 0, count <= 99_999 else { throw BenchError("--count must be 1...99999") }
    let start = monotonicSeconds()
    try FileIO.makeDirectory(directory)
    try FileIO.removeYAMLFiles(in: directory)
    let generator = CustomerGenerator(seed: seed)
    let printer = CanonicalPrinter(isTyped: { path in
      guard case .key(let key)? = path.last else { return false }
      return CustomerGenerator.typedKeys.contains(key)
    })
    let prefix = directory.hasSuffix("/") ? directory : directory + "/"
    var total = 0
    var smallest = Int.max
    var largest = 0
    var digest = FNV1a()
    var listItems = (followUps: 0, orders: 0, complaints: 0, contacts: 0)
    for number in 1...count {
      let path = prefix + CustomerGenerator.id(number) + ".yaml"
      let bytes = Array(generator.record(number: number).utf8)
      guard (CustomerGenerator.minSize...CustomerGenerator.maxSize).contains(bytes.count) else {
        throw BenchError("\(path): \(bytes.count) bytes, outside the 2–6 KiB the corpus promises")
      }
      let result = Document.parse(bytes, path: path)
      guard let document = result.document, result.diagnostics.isEmpty else {
        let rendered = DiagnosticRenderer().render(
          result.diagnostics, file: SourceFile(path: path, bytes: bytes))
        throw BenchError("generated record does not parse cleanly with TallyText:\n\(rendered)")
      }
      let printed = printer.printBytes(document)
      if printed != bytes {
        throw BenchError("generated record is not canonical: \(path)\n" + firstDifference(bytes, printed))
      }
      let value = document.value
      listItems.followUps += value["follow_ups"]?.items?.count ?? 0
      listItems.orders += value["orders"]?.items?.count ?? 0
      listItems.complaints += value["complaints"]?.items?.count ?? 0
      listItems.contacts += value["contacts"]?.items?.count ?? 0
      try FileIO.write(bytes, to: path)
      total += bytes.count
      smallest = min(smallest, bytes.count)
      largest = max(largest, bytes.count)
      digest.add(bytes)
    }
    let elapsed = monotonicSeconds() - start
    let n = Double(count)
    print(
      """
      corpus: \(Format.grouped(count)) customer records in \(directory) (seed \(seed)), \
      generated and checked in \(Format.seconds(elapsed))
        size: \(Format.megabytes(total)) in all; \(Format.grouped(smallest))–\(Format.grouped(largest)) B \
      per file, mean \(Format.grouped(total / count)) B
        lists per record (mean): contacts \(Format.fixed(Double(listItems.contacts) / n, 1)), \
      follow_ups \(Format.fixed(Double(listItems.followUps) / n, 1)), \
      orders \(Format.fixed(Double(listItems.orders) / n, 1)), \
      complaints \(Format.fixed(Double(listItems.complaints) / n, 1))
        every file parses with TallyText and is canonical; digest fnv1a64 \(digest.hex)
      """)
  }

  /// The first line where `expected` and `actual` differ, for a failure message.
  static func firstDifference(_ expected: [UInt8], _ actual: [UInt8]) -> String {
    let a = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    let b = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(a.count, b.count) {
      let left = index < a.count ? String(a[index]) : "<end of file>"
      let right = index < b.count ? String(b[index]) : "<end of file>"
      if left != right {
        return "  line \(index + 1)\n    generated: \(left)\n    canonical: \(right)"
      }
    }
    return "  (the difference is in line endings)"
  }
}

/// 64-bit FNV-1a over the corpus, so two runs can be seen to write the same bytes.
struct FNV1a {
  private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

  mutating func add(_ bytes: [UInt8]) {
    for byte in bytes {
      value ^= UInt64(byte)
      value &*= 0x0000_0100_0000_01B3
    }
  }

  var hex: String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}
