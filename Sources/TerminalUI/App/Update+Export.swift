import Foundation
import AuditCore

extension AppState {
    /// `x` or `p`: asks for today's date, then opens the pop-up with a suggested name.
    mutating func requestExport(_ format: ScreenExportFormat) -> [Effect] {
        guard list.loaded, !list.rows.isEmpty else {
            notice = Notice("Nothing to export: no emails match this filter.")
            return []
        }
        guard canExport else {
            notice = Notice("Exporting is not available here.", level: .error)
            return []
        }
        preparingExport = true
        return [.prepareExport(format)]
    }

    /// Opens the pop-up with the suggested file name in the export folder.
    mutating func openExportDialog(_ format: ScreenExportFormat, today: CalendarDay) -> [Effect] {
        guard topScreen == .audit || topScreen == .emptyStore else { return [] }
        let name = ExportFileName.suggested(accountName: accountName, filter: filter, staff: staff, today: today, format: format)
        var dialog = ExportDialogState(format: format, folder: exportFolder, fileName: name, total: counts?.total)
        if format == .pdf, let total = counts?.total, total > pdfRowLimit {
            dialog.phase = .failed("There are too many results for this search. Please refine your search criteria. "
                + "(\(Count.text(total)) rows; a PDF holds at most \(Count.text(pdfRowLimit)).) Press x to export to Excel instead.")
        }
        screens.append(.export(dialog))
        return []
    }

    /// Keys while the export pop-up is open.
    mutating func handleExportKey(_ key: Key) -> [Effect] {
        guard case .export(var dialog) = topScreen else { return [] }
        defer { if case .export = topScreen { screens[screens.count - 1] = .export(dialog) } }
        let typing = dialog.phase == .naming || dialog.phase == .confirmReplace
        if key == .control("c") || key == .character("Q") && !typing {
            // Quit at once; a running export is cancelled and removes its file first.
            shouldQuit = true
            if dialog.phase == .running { dialog.phase = .cancelling }
            return dialog.phase == .cancelling ? [.cancelExport(jobID: dialog.jobID)] : []
        }
        if key == .control("l") {
            redrawRequests += 1
            return []
        }
        switch dialog.phase {
        case .naming, .confirmReplace:
            switch key {
            case .escape:
                screens.removeLast()
                return []
            case .enter:
                let name = dialog.fileName.trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty, !name.hasSuffix("/") else {
                    notice = Notice("Type a file name.", level: .error)
                    return []
                }
                dialog.fileName = name
                let replace = dialog.phase == .confirmReplace
                nextExportJob += 1
                dialog.jobID = nextExportJob
                dialog.phase = .running
                dialog.written = 0
                dialog.elapsed = 0
                return [.startExport(ExportJob(
                    id: dialog.jobID, format: dialog.format, path: dialog.path, replaceExisting: replace,
                    filter: filter, filterWords: FilterChoices.words(filter, staff: staff),
                    accountName: accountName, userName: userName, expectedRows: counts?.total))]
            case .backspace:
                if !dialog.fileName.isEmpty { dialog.fileName.removeLast() }
                dialog.phase = .naming
            case .control("u"):
                dialog.fileName = ""
                dialog.phase = .naming
            case .character(let character):
                if !character.isNewline, character.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) {
                    dialog.fileName.append(character)
                    dialog.phase = .naming
                }
            default:
                break
            }
            return []
        case .running:
            guard key == .escape else { return [] }
            dialog.phase = .cancelling
            return [.cancelExport(jobID: dialog.jobID)]
        case .cancelling:
            return []
        case .finished:
            if key == .escape || key == .enter || key == .character("q") { screens.removeLast() }
            return []
        case .failed:
            if key == .escape || key == .character("q") {
                screens.removeLast()
            } else if key == .enter {
                dialog.phase = .naming
            } else if key == .character("x"), dialog.format == .pdf {
                dialog.format = .excel
                dialog.fileName = (dialog.fileName as NSString).deletingPathExtension + ".xlsx"
                dialog.phase = .naming
            }
            return []
        }
    }

    mutating func exportProgressed(jobID: Int, written: Int, elapsed: Double) {
        guard case .export(var dialog) = topScreen, dialog.jobID == jobID,
              dialog.phase == .running || dialog.phase == .cancelling else { return }
        dialog.written = written
        dialog.elapsed = elapsed
        screens[screens.count - 1] = .export(dialog)
    }

    mutating func exportFinished(jobID: Int, _ result: ExportJobResult) {
        guard let index = screens.lastIndex(where: {
            if case .export(let dialog) = $0 { return dialog.jobID == jobID }
            return false
        }), case .export(var dialog) = screens[index] else { return }
        switch result {
        case .written(let path, let rows, let warning):
            dialog.phase = .finished(path: path, rows: rows, warning: warning)
            dialog.written = rows
        case .fileExists:
            dialog.phase = .confirmReplace
        case .cancelled:
            screens.remove(at: index)
            notice = Notice("Export cancelled; no file was left.")
            return
        case .failed(let text):
            dialog.phase = .failed(TerminalText.singleLine(text))
        }
        screens[index] = .export(dialog)
    }
}
