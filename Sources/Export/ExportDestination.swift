import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where an export goes: checked before any row is read, written under a temporary name in
/// the same folder, and renamed into place only when complete, so a failure or a cancel
/// never leaves a partial file and never touches an existing one.
public struct ExportDestination: Sendable {
    /// The final path.
    public let path: String
    /// Whether an existing file may be replaced.
    public let replaceExisting: Bool

    /// Checks the path: its folder exists and is writable, it is not a folder, and it does
    /// not exist unless `replaceExisting`.
    public init(path: String, replaceExisting: Bool) throws {
        let expanded = (path as NSString).expandingTildeInPath
        self.path = expanded
        self.replaceExisting = replaceExisting
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw ExportError.unwritable(expanded, reason: "it is a folder") }
            if !replaceExisting { throw ExportError.fileExists(expanded) }
        }
        let folder = folderPath
        var folderIsDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &folderIsDirectory), folderIsDirectory.boolValue else {
            throw ExportError.unwritable(expanded, reason: "the folder \(folder) does not exist")
        }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw ExportError.unwritable(expanded, reason: "the folder \(folder) is not writable")
        }
    }

    /// The folder the file goes in.
    public var folderPath: String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    /// A temporary name beside the final file (hidden, unique to this process and moment).
    public func temporaryPath(suffix: String = "") -> String {
        let name = (path as NSString).lastPathComponent
        let unique = "\(getpid())-\(UInt64(Date().timeIntervalSince1970 * 1_000_000) % 1_000_000_000)"
        return (folderPath as NSString).appendingPathComponent(".\(name).partial-\(unique)\(suffix)")
    }

    /// Moves the finished temporary file into place. Without `replaceExisting` it never
    /// replaces a file that appeared meanwhile (a hard link fails if the name is taken).
    public func commit(temporaryPath: String) throws {
        if replaceExisting {
            guard rename(temporaryPath, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporaryPath)
                throw ExportError.writeFailed(path, reason: reason)
            }
            return
        }
        if link(temporaryPath, path) == 0 {
            unlink(temporaryPath)
            return
        }
        let code = errno
        if code == EEXIST {
            unlink(temporaryPath)
            throw ExportError.fileExists(path)
        }
        // A file system without hard links: check, then rename.
        if FileManager.default.fileExists(atPath: path) {
            unlink(temporaryPath)
            throw ExportError.fileExists(path)
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw ExportError.writeFailed(path, reason: reason)
        }
    }
}
