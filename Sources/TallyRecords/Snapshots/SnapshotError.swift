import Foundation
import TallyGit
import TallySchema
import TallyText

public enum SnapshotError: Error, CustomStringConvertible {
  case conflicted(String)
  case missingConfig(String)

  public var description: String {
    switch self {
    case .conflicted(let path): "\(path) has unresolved merge conflicts; resolve them and stage the result"
    case .missingConfig(let name): "\(name) has no \(RecordsRoot.markerFile) at the records root"
    }
  }
}
