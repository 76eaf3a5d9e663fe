/// Text with position markers, so tests name positions instead of counting columns.
///
/// `"name: 1️⃣王芳"` yields the text `"name: 王芳"` and marker 1 at the byte offset of 王.
/// Markers are the keycap emoji 0️⃣ … 9️⃣.
public struct MarkedText {
  public let text: String
  /// Byte offsets of each marker, by its number.
  public let markers: [Int: Int]

  public init(_ marked: String) {
    var text = ""
    var markers: [Int: Int] = [:]
    var scalars = Array(marked.unicodeScalars)
    var i = 0
    var utf8Offset = 0
    while i < scalars.count {
      let s = scalars[i]
      if s.value >= 0x30, s.value <= 0x39, i + 2 < scalars.count,
        scalars[i + 1].value == 0xFE0F, scalars[i + 2].value == 0x20E3
      {
        markers[Int(s.value - 0x30)] = utf8Offset
        i += 3
        continue
      }
      text.unicodeScalars.append(s)
      utf8Offset += String(s).utf8.count
      i += 1
    }
    scalars.removeAll()
    self.text = text
    self.markers = markers
  }

  public subscript(marker: Int) -> Int { markers[marker] ?? -1 }
}
