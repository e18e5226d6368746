import AuditCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way the commands write to the terminal. Standard output and standard error take
/// only ``DisplayText`` (built by interpolation, which neutralises every value), and the
/// streamed exports and query rows pass through ``TerminalText/document(_:)``: nothing from
/// outside reaches the terminal raw because a call site forgot to clean it.
///
/// A reader that goes away (`email-audit query | head`) ends the process quietly, as a broken
/// pipe ends `cat` or `grep`: by SIGPIPE, so a shell sees status 141, with no error message.
enum Console {
    /// Writes a text and a line break to standard output.
    static func print(_ text: DisplayText, terminator: DisplayText = "\n") {
        write((text + terminator).string, to: STDOUT_FILENO)
    }

    /// Writes a text and a line break to standard error.
    static func printError(_ text: DisplayText) {
        write((text + "\n").string, to: STDERR_FILENO)
    }

    /// Writes a progress line over the previous one (a carriage return, then the text).
    static func progress(_ text: DisplayText) {
        write("\r" + text.string, to: STDOUT_FILENO)
    }

    /// Redraws a progress line on standard error (carriage return, text, clear to the end of
    /// the line); callers draw it only when standard error is a terminal.
    static func progressLine(_ text: DisplayText) {
        write("\r" + text.string + "\u{1B}[K", to: STDERR_FILENO)
    }

    /// Clears a progress line drawn by ``progressLine(_:)``.
    static func clearProgressLine() {
        write("\r\u{1B}[K", to: STDERR_FILENO)
    }

    /// Ends a progress line drawn by ``progressLine(_:)`` with a line break, keeping it.
    static func endProgressLine() {
        write("\n", to: STDERR_FILENO)
    }

    /// Writes a document (an export or query rows streamed to standard output) whose every
    /// character a terminal would act on, other than line ends, is replaced
    /// (``TerminalText/document(_:)``).
    static func writeDocument(_ text: String) {
        write(TerminalText.document(text), to: STDOUT_FILENO)
    }

    /// Writes every byte of `string` to `descriptor`, retrying short and interrupted writes.
    private static func write(_ string: String, to descriptor: Int32) {
        var string = string
        string.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(descriptor, base + offset, bytes.count - offset)
                if written > 0 { offset += written; continue }
                let error = errno
                if written < 0 && (error == EINTR || error == EAGAIN) { continue }
                if written < 0 && error == EPIPE { endByBrokenPipe() }
                return  // another error (a full disk under a redirect): nothing better to say it on
            }
        }
    }

    private static func systemWrite(_ descriptor: Int32, _ buffer: UnsafePointer<UInt8>, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, buffer, count)
        #else
        Darwin.write(descriptor, buffer, count)
        #endif
    }

    /// The reader of standard output or error has gone: end as the default SIGPIPE would
    /// (the process ignores the signal so that a write returns EPIPE instead of killing it mid-way).
    private static func endByBrokenPipe() -> Never {
        signal(SIGPIPE, SIG_DFL)
        raise(SIGPIPE)
        exit(141)
    }
}
