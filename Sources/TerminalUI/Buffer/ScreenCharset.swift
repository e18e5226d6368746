import AuditCore

/// The characters the screen may draw: any Unicode text, or ASCII only.
///
/// In ``ascii`` mode (a `C`, `POSIX` or ISO-8859-1 locale, `--ascii`, `EMAIL_AUDIT_ASCII=1`)
/// all text goes through ``ASCIIFallback`` *before* it is measured or cut, so columns stay
/// aligned although a transliteration can change a string's length (ß → ss, … → ...).
/// The light box-drawing characters stay in the buffer and the curses backend paints them
/// with the terminal's alternate character set (plain `|`, `-`, `+` where it has none).
///
/// The mode is a rendering mode of the text layer: ``view(_:)`` and ``update(_:_:)`` bind
/// ``current`` to the state's charset, and ``DisplayWidth`` and ``Buffer`` follow it, so
/// screens and widgets stay pure functions of state and need no extra parameter.
public enum ScreenCharset: String, Sendable, Hashable {
    /// Unicode text as it is (a UTF-8 locale).
    case unicode
    /// ASCII only, letters transliterated, `?` for characters with no ASCII form.
    case ascii

    /// The mode text is measured, cut and drawn in; `.unicode` unless bound.
    @TaskLocal public static var current: ScreenCharset = .unicode

    /// Text as this mode draws it (line-drawing characters kept; see the type's discussion).
    public func form(_ text: String) -> String {
        self == .ascii ? ASCIIFallback.text(text, keepingLineDrawing: true) : text
    }
}
