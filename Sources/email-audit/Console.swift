import AuditCore
import Foundation

/// The one way the commands write to the terminal. Standard output and standard error take
/// only ``DisplayText`` (built by interpolation, which neutralises every value), and the
/// streamed exports pass through ``TerminalText/document(_:)``: nothing from outside reaches
/// the terminal raw because a call site forgot to clean it.
enum Console {
    /// Writes a text and a line break to standard output.
    static func print(_ text: DisplayText, terminator: DisplayText = "\n") {
        write((text + terminator).string, to: .standardOutput)
    }

    /// Writes a text and a line break to standard error.
    static func printError(_ text: DisplayText) {
        write((text + "\n").string, to: .standardError)
    }

    /// Writes a progress line over the previous one (a carriage return, then the text).
    static func progress(_ text: DisplayText) {
        write("\r" + text.string, to: .standardOutput)
    }

    /// Redraws a progress line on standard error (carriage return, text, clear to the end of
    /// the line); callers draw it only when standard error is a terminal.
    static func progressLine(_ text: DisplayText) {
        write("\r" + text.string + "\u{1B}[K", to: .standardError)
    }

    private static func write(_ string: String, to handle: FileHandle) {
        handle.write(Data(string.utf8))
    }
}
