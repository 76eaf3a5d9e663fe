import TallyText

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writing to standard output and standard error, buffered, with colour decided once.
enum Console {
  /// Writes bytes to standard output.
  static func out(_ bytes: [UInt8]) {
    write(fd: 1, bytes)
  }

  static func out(_ text: String) {
    write(fd: 1, Array(text.utf8))
  }

  static func err(_ text: String) {
    write(fd: 2, Array(text.utf8))
  }

  /// Kept for symmetry with buffered writers: output is unbuffered.
  static func flush() {}

  static func write(fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      var written = 0
      while written < buffer.count {
        #if canImport(Glibc)
          let n = Glibc.write(fd, base + written, buffer.count - written)
        #else
          let n = Darwin.write(fd, base + written, buffer.count - written)
        #endif
        if n < 0 {
          if errno == EINTR { continue }
          return
        }
        written += n
      }
    }
  }

  static var stdoutIsTerminal: Bool { isatty(1) == 1 }
  static var stderrIsTerminal: Bool { isatty(2) == 1 }

  /// Whether to colour text written to standard error (or standard output).
  static func useColor(_ choice: ColorChoice, stdout: Bool = false) -> Bool {
    switch choice {
    case .always: return true
    case .never: return false
    case .auto:
      if getenv("NO_COLOR") != nil { return false }
      if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
      return stdout ? stdoutIsTerminal : stderrIsTerminal
    }
  }

  static func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
  }
}

extension Console {
  /// The terminal's width, for fitting tables on a terminal: COLUMNS, else the terminal's,
  /// else 100. (Output to a file or a pipe is not fitted: see ``WidthOptions``.)
  static var terminalWidth: Int {
    if let text = environment("COLUMNS"), let columns = Int(text), columns > 20 { return columns }
    var size = winsize()
    if isatty(1) == 1, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
    return 100
  }
}
