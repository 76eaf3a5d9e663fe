/// Long lists of path arguments, kept out of swift-argument-parser.
///
/// swift-argument-parser (1.8) copies the whole array of a repeating positional argument
/// for every value it adds, so `tally parse customers/*.yaml` with 10,000 files spent most
/// of its time parsing arguments (quadratic in the number of paths). For the commands whose
/// only positional arguments are paths, everything after the first few paths is taken out
/// of the argument list before parsing and appended again by the command, in order.
enum PathArguments {
  /// Commands whose positional arguments are all paths.
  static let commands: Set<String> = ["parse", "fmt", "check"]
  /// Options of those commands that take a value (the next argument is not a path).
  static let optionsWithValues: Set<String> = [
    "--format", "--color", "--repo", "--against", "--rev", "--range", "-C",
  ]
  /// How many paths stay in the argument list (so usage errors still read naturally).
  static let kept = 16

  nonisolated(unsafe) private(set) static var spilled: [String] = []

  /// The arguments without the paths beyond the first `kept`, which are remembered.
  static func spill(_ arguments: [String]) -> [String] {
    guard arguments.count > kept + 1, let command = arguments.first, commands.contains(command) else {
      return arguments
    }
    var result = [command]
    result.reserveCapacity(kept * 2)
    var paths = 0
    var index = 1
    var afterTerminator = false
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if !afterTerminator {
        if argument == "--" {
          afterTerminator = true
          result.append(argument)
          continue
        }
        if argument.hasPrefix("-"), argument.count > 1 {
          result.append(argument)
          if optionsWithValues.contains(argument), index < arguments.count {
            result.append(arguments[index])
            index += 1
          }
          continue
        }
      }
      if paths < kept {
        result.append(argument)
      } else {
        spilled.append(argument)
      }
      paths += 1
    }
    return result
  }

  /// The paths a command was given: those parsed by swift-argument-parser, then the rest.
  static func all(_ parsed: [String]) -> [String] {
    parsed + spilled
  }
}
