#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The character set of the terminal's locale, and the settings that force ASCII.
///
/// Support servers are often reached with `LANG=C` or `POSIX` (no locale forwarded over
/// SSH) or an ISO-8859-1 locale; curses then drops every non-ASCII character, so the
/// screen switches to ``ScreenCharset/ascii`` instead.
public enum TerminalLocale {
    /// The codeset of the locale the environment selects for characters (`LC_ALL`, else
    /// `LC_CTYPE`, else `LANG`), as `setlocale(LC_ALL, "")` followed by
    /// `nl_langinfo(CODESET)` reports it: "UTF-8", "ANSI_X3.4-1968" (C, POSIX),
    /// "ISO-8859-1"... A locale that is not installed reads as the C locale's codeset, as
    /// `setlocale` would fall back to it. The process's own locale is left unchanged.
    public static func codeset() -> String {
        guard let locale = newlocale(LC_CTYPE_MASK, "", nil) ?? newlocale(LC_CTYPE_MASK, "C", nil) else {
            return "ANSI_X3.4-1968"
        }
        defer { freelocale(locale) }
        guard let name = nl_langinfo_l(nl_item(CODESET), locale) else { return "ANSI_X3.4-1968" }
        return String(cString: name)
    }

    /// Whether a codeset name means UTF-8 ("UTF-8", "utf8").
    public static func isUTF8(codeset: String) -> Bool {
        codeset.lowercased().filter { $0.isLetter || $0.isNumber } == "utf8"
    }

    /// Whether the terminal's locale is UTF-8.
    public static var isUTF8: Bool { isUTF8(codeset: codeset()) }

    /// Whether `EMAIL_AUDIT_ASCII` asks for ASCII ("1", "yes", "true", "on").
    public static func asciiRequested(environment: [String: String]) -> Bool {
        guard let value = environment["EMAIL_AUDIT_ASCII"]?.lowercased() else { return false }
        return ["1", "yes", "true", "on"].contains(value)
    }
}
