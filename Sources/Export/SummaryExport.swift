import AuditCore
import Foundation

/// The file formats an export can be written in.
public enum ExportFormat: String, CaseIterable, Sendable, Hashable {
    case xlsx, pdf, csv

    /// The file name extension.
    public var fileExtension: String { rawValue }

    /// The format's name for people ("Excel").
    public var displayName: String {
        switch self {
        case .xlsx: "Excel"
        case .pdf: "PDF"
        case .csv: "CSV"
        }
    }
}

/// Settings of an export that are not the rows themselves.
public struct ExportSettings: Sendable {
    /// CSV: start with a UTF-8 byte-order mark (so Excel on Windows reads £ and Zoë).
    public var csvByteOrderMark: Bool = true
    /// XLSX: rows per sheet, heading and header rows included (Excel's limit; lowered by tests).
    public var sheetRowLimit: Int = XLSXWriter.excelRowLimit
    /// XLSX: write ZIP64 records even when the workbook is small (a test knob: real workbooks
    /// get them only past the 4 GiB and 65,535-entry limits).
    public var forceZip64 = false
    /// PDF: the most data rows a PDF may hold.
    public var pdfRowLimit: Int = 50_000
    /// PDF: the TrueType font to embed; nil looks one up with fontconfig; "" means none
    /// (the standard Helvetica with transliteration).
    public var pdfFontPath: String?

    public init() {}
}

/// The one export path: the filter's rows, page by page from the store, into a file of any
/// format, under a temporary name renamed into place at the end.
public enum SummaryExport {
    /// What a finished export reports.
    public struct Outcome: Sendable, Hashable {
        /// The file written.
        public var path: String
        /// Data rows written.
        public var rows: Int
        /// A warning for the person (e.g. no TrueType font for the PDF), if any.
        public var warning: String?
    }

    /// Writes every row of `source` to `destination` in `format`.
    ///
    /// `expectedRows` (the count from the roll-ups) lets a PDF of too many rows be refused
    /// before anything is written. `progress` is called after each page with the rows written
    /// so far; returning false cancels. On any failure or a cancel the temporary file is
    /// removed and nothing exists at the destination that was not there before.
    public static func run(format: ExportFormat, destination: ExportDestination, heading: ExportHeading,
                           settings: ExportSettings = ExportSettings(), expectedRows: Int? = nil,
                           source: ExportRowSource, progress: (Int) -> Bool = { _ in true }) throws -> Outcome {
        if format == .pdf, let expectedRows, expectedRows > settings.pdfRowLimit {
            throw ExportError.tooManyRowsForPDF(rows: expectedRows, limit: settings.pdfRowLimit)
        }
        let temporary = destination.temporaryPath()
        let writer: any ExportFileWriter
        switch format {
        case .csv: writer = try CSVExportWriter(path: temporary, heading: heading, byteOrderMark: settings.csvByteOrderMark)
        case .xlsx: writer = try XLSXWriter(path: temporary, heading: heading, sheetRowLimit: settings.sheetRowLimit,
                                            forceZip64: settings.forceZip64)
        case .pdf: writer = try PDFWriter(path: temporary, heading: heading, rowLimit: settings.pdfRowLimit,
                                          fontPath: settings.pdfFontPath ?? FontLookup.trueTypePath(for: "DejaVu Sans"))
        }
        var written = 0
        do {
            try writer.begin()
            try source.forEachPage { rows in
                for row in rows { try writer.write(row) }
                written += rows.count
                guard progress(written) else { throw ExportError.cancelled }
                return true
            }
            try writer.finish()
            try destination.commit(temporaryPath: temporary)
        } catch {
            writer.abandon()
            unlink(temporary)
            if let exportError = error as? ExportError { throw exportError }
            throw ExportError.storeFailed(String(describing: error))
        }
        return Outcome(path: destination.path, rows: written, warning: writer.warning)
    }
}

/// A file format written row by row into a temporary file.
protocol ExportFileWriter: AnyObject {
    /// Writes what comes before the first row.
    func begin() throws
    /// Writes one row.
    func write(_ row: ExportRow) throws
    /// Writes what comes after the last row and closes the file.
    func finish() throws
    /// Closes the file after a failure (the caller removes it).
    func abandon()
    /// A warning for the person, if the file is less than it should be.
    var warning: String? { get }
}

extension ExportFileWriter {
    var warning: String? { nil }
}
