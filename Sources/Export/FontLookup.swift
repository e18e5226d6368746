import Foundation

/// Finds TrueType font files through fontconfig (`fc-match`, `fc-list`).
public enum FontLookup {
    /// A face of a font file: `index` picks the face in a collection (.ttc), 0 otherwise.
    public struct Face: Sendable, Hashable {
        public var path: String
        public var index: Int
    }

    /// The path of a TrueType (.ttf) font matching `family`, or nil when fontconfig is
    /// missing or matches only other kinds of font.
    public static func trueTypePath(for family: String) -> String? {
        guard let output = run(tool: "fc-match", ["-f", "%{file}", family]) else { return nil }
        let path = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard path.lowercased().hasSuffix(".ttf"), FileManager.default.isReadableFile(atPath: path) else { return nil }
        return path
    }

    /// TrueType faces (.ttf, or a face of a .ttc collection) that fontconfig says have a glyph
    /// for `scalar`: upright regular faces first, then by path and face number, so the choice
    /// does not depend on the order fontconfig lists them in.
    public static func trueTypeFaces(covering scalar: Unicode.Scalar) -> [Face] {
        let pattern = ":charset=" + String(scalar.value, radix: 16)
        guard let output = run(tool: "fc-list", ["-f", "%{file}|%{index}|%{style}\\n", pattern]) else { return [] }
        var faces: [(face: Face, styled: Bool)] = []
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 2, let index = Int(fields[1]) else { continue }
            let path = fields[0]
            let lowered = path.lowercased()
            guard lowered.hasSuffix(".ttf") || lowered.hasSuffix(".ttc"), FileManager.default.isReadableFile(atPath: path) else { continue }
            let style = fields.count > 2 ? fields[2].lowercased() : ""
            let styled = ["bold", "italic", "oblique"].contains { style.contains($0) }
            faces.append((Face(path: path, index: index), styled))
        }
        let sorted = faces.sorted { a, b in
            if a.styled != b.styled { return !a.styled }
            if a.face.path != b.face.path { return a.face.path < b.face.path }
            return a.face.index < b.face.index
        }
        var seen = Set<Face>()
        return sorted.map(\.face).filter { seen.insert($0).inserted }
    }

    /// Runs a fontconfig tool; its standard output, or nil when it is missing or fails.
    private static func run(tool: String, _ arguments: [String]) -> String? {
        let candidates = ["/usr/bin/", "/usr/local/bin/", "/bin/"].map { $0 + tool }
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
