import AuditCore
import Foundation
import Testing
@testable import TerminalUI

/// An exporter that records the jobs and answers as told, reporting progress as it goes.
final class RecordingExporter: ScreenExporter, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var jobs: [ExportJob] = []
    var answers: [ExportJobResult]
    var progressSteps: [Int]

    init(answers: [ExportJobResult], progressSteps: [Int] = [500, 1000]) {
        self.answers = answers
        self.progressSteps = progressSteps
    }

    func export(_ job: ExportJob, now: Date, progress: @escaping (Int) -> Bool) -> ExportJobResult {
        lock.lock()
        jobs.append(job)
        let answer = answers.isEmpty ? .written(path: job.path, rows: 0, warning: nil) : answers.removeFirst()
        lock.unlock()
        for step in progressSteps where !progress(step) { return .cancelled }
        return answer
    }
}

/// `x` and `p` on the list: the pop-up, the job it starts, replacing only when asked, cancel.
@Suite struct ExportDialogTests {
    func session(_ exporter: RecordingExporter, filter: EmailFilter = EmailFilter(dateRange: .last7Days),
                 width: Int = 80, height: Int = 24) -> HeadlessSession {
        var options = Fixture.options(filter: filter)
        options.exporter = exporter
        options.exportDirectory = "/exports"
        return HeadlessSession(reader: FakeAuditReader(), options: options, width: width, height: height,
                               now: { FakeAuditReader.now })
    }

    var dialog: (HeadlessSession) -> ExportDialogState? {
        { session in
            if case .export(let dialog) = session.state.topScreen { return dialog }
            return nil
        }
    }

    @Test func suggestedNameFollowsTheAccountDateAndFilter() {
        var filter = EmailFilter(dateRange: .last7Days)
        filter.statuses = [.failed]
        let name = ExportFileName.suggested(accountName: "Harbour Lets", filter: filter, staff: [],
                                            today: CalendarDay(year: 2026, month: 12, day: 2), format: .excel)
        #expect(name == "email-audit_harbour-lets_2026-12-02_failed_last-7-days.xlsx")
        #expect(ExportFileName.slug("Zoë  O'Brien & Co.") == "zoe-o-brien-co")
    }

    @Test func xOpensThePopUpAndEnterExportsTheListsFilter() throws {
        let exporter = RecordingExporter(answers: [.written(path: "/exports/a.xlsx", rows: 42, warning: nil)])
        let session = session(exporter)
        session.send(.character("x"))
        let opened = try #require(dialog(session))
        #expect(opened.fileName == "email-audit_acme-lettings_2026-11-20_last-7-days.xlsx")
        #expect(opened.folder == "/exports")
        #expect(session.render().text.contains("Export to Excel"))
        session.send(.enter)
        let job = try #require(exporter.jobs.first)
        #expect(job.filter == session.state.filter)
        #expect(job.path == "/exports/email-audit_acme-lettings_2026-11-20_last-7-days.xlsx")
        #expect(!job.replaceExisting)
        #expect(job.expectedRows == session.state.counts?.total)
        let done = try #require(dialog(session))
        #expect(done.phase == .finished(path: "/exports/a.xlsx", rows: 42, warning: nil))
        #expect(session.render().text.contains("/exports/a.xlsx"))
        session.send(.enter)
        #expect(session.state.topScreen == .audit)
    }

    /// `x` asks for today's date on the background queue; an Enter typed before the pop-up
    /// opens goes to the pop-up (starting the export), not to the list (where it opens View).
    @Test func keysTypedBeforeThePopUpOpensGoToThePopUp() throws {
        let loaded = session(RecordingExporter(answers: [])).state
        #expect(loaded.topScreen == .audit && !loaded.list.rows.isEmpty)
        let (asked, askEffects) = update(loaded, .key(.character("x")))
        #expect(askEffects == [.prepareExport(.excel)])
        let (typed, typedEffects) = update(asked, .key(.enter))
        #expect(typedEffects.isEmpty)
        #expect(typed.topScreen == .audit, "the Enter must not open View under the coming pop-up")
        let (opened, effects) = update(typed, .exportPrepared(.excel, today: CalendarDay(year: 2026, month: 11, day: 20)))
        guard case .export(let dialog) = opened.topScreen else {
            Issue.record("the pop-up did not open: \(opened.topScreen)")
            return
        }
        #expect(dialog.phase == .running)
        #expect(effects.contains { if case .startExport = $0 { true } else { false } })
        #expect(opened.keysTypedAhead.isEmpty && !opened.preparingExport)
        // Keys after the pop-up is open go straight to it.
        let (cancelling, _) = update(opened, .key(.escape))
        if case .export(let after) = cancelling.topScreen { #expect(after.phase == .cancelling) }
        else { Issue.record("Esc closed the pop-up of a running export") }
    }

    @Test func anExistingFileIsReplacedOnlyAfterASecondEnter() throws {
        let exporter = RecordingExporter(answers: [.fileExists(path: "/exports/x.pdf"),
                                                   .written(path: "/exports/x.pdf", rows: 3, warning: nil)])
        let session = session(exporter)
        session.send(.character("p"))
        session.send(.control("u"))
        session.type("x.pdf")
        session.send(.enter)
        #expect(dialog(session)?.phase == .confirmReplace)
        #expect(session.render().text.contains("That file exists"))
        session.send(.enter)
        #expect(exporter.jobs.map(\.replaceExisting) == [false, true])
        #expect(exporter.jobs.map(\.path) == ["/exports/x.pdf", "/exports/x.pdf"])
    }

    @Test func escWhileRunningCancelsAndClosesWithANotice() throws {
        let exporter = RecordingExporter(answers: [])
        let session = session(exporter)
        session.send(.character("x"))
        // Drive the running phase by hand: the headless runner finishes jobs at once.
        var state = session.state
        guard case .export(var running) = state.topScreen else { Issue.record("no pop-up"); return }
        running.phase = .running
        running.jobID = 7
        running.total = 1000
        state.screens[state.screens.count - 1] = .export(running)
        var (next, effects) = update(state, .exportProgress(jobID: 7, written: 250, elapsed: 0.5))
        guard case .export(let progressed) = next.topScreen else { Issue.record("pop-up closed"); return }
        #expect(progressed.written == 250 && progressed.rate == 500)
        #expect(view(next).text.contains("250 of 1,000 rows · 500 rows/s"))
        (next, effects) = update(next, .key(.escape))
        #expect(effects == [.cancelExport(jobID: 7)])
        (next, effects) = update(next, .exportFinished(jobID: 7, .cancelled))
        #expect(next.topScreen == .audit)
        #expect(next.notice?.text == "Export cancelled; no file was left.")
    }

    @Test func escBeforeStartingWritesNothing() {
        let exporter = RecordingExporter(answers: [])
        let session = session(exporter)
        session.send(.character("x"))
        session.send(.escape)
        #expect(session.state.topScreen == .audit)
        #expect(exporter.jobs.isEmpty)
    }

    @Test func aPDFOfTooManyRowsIsRefusedWithTheSeedsSentence() {
        let exporter = RecordingExporter(answers: [])
        var options = Fixture.options(filter: EmailFilter(dateRange: .last7Days))
        options.exporter = exporter
        options.pdfRowLimit = 5
        let session = HeadlessSession(reader: FakeAuditReader(), options: options, width: 80, height: 24,
                                      now: { FakeAuditReader.now })
        session.send(.character("p"))
        guard case .failed(let text)? = dialog(session)?.phase else { Issue.record("not refused"); return }
        #expect(text.hasPrefix("There are too many results for this search. Please refine your search criteria."))
        session.send(.character("x"))
        #expect(dialog(session)?.format == .excel)
        #expect(dialog(session)?.fileName.hasSuffix(".xlsx") == true)
    }

    @Test func withoutAnExporterTheKeysSaySo() {
        let session = Fixture.session()
        session.send(.character("x"))
        #expect(session.state.topScreen == .audit)
        #expect(session.state.notice?.level == .error)
    }

    @Test func progressPopUpSnapshot() {
        var state = session(RecordingExporter(answers: [])).state
        var dialog = ExportDialogState(format: .excel, folder: "/exports", fileName: "email-audit_acme-lettings_2026-11-20_last-7-days.xlsx", total: 60)
        dialog.phase = .running
        dialog.jobID = 1
        dialog.written = 24
        dialog.elapsed = 0.01
        state.screens.append(.export(dialog))
        assertSnapshot(view(state), named: "export-progress-80x24")
    }
}
