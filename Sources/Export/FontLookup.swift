import Foundation

/// Finds a TrueType font file through fontconfig (`fc-match`).
public enum FontLookup {
    /// The path of a TrueType (.ttf) font matching `family`, or nil when fontconfig is
    /// missing or matches only other kinds of font.
    public static func trueTypePath(for family: String) -> String? {
        let candidates = ["/usr/bin/fc-match", "/usr/local/bin/fc-match", "/bin/fc-match"]
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-f", "%{file}", family]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, path.lowercased().hasSuffix(".ttf"),
              FileManager.default.isReadableFile(atPath: path) else { return nil }
        return path
    }
}
