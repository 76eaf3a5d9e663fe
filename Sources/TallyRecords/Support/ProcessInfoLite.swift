import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

enum ProcessInfoLite {
  /// The number of cores this process may use.
  static var activeProcessorCount: Int {
    if let text = getenv("TALLY_THREADS"), let count = Int(String(cString: text)), count > 0 { return count }
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
  }
}
