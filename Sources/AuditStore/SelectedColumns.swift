import GRDB

/// The columns a record reads, GRDB style: one case per selected expression, in SELECT order.
///
/// The SELECT list is generated from the cases (``selection``) and a record reads each value
/// by its case (`row[Columns.subject]`), so the list and the decoding cannot drift apart:
/// a new column is one new case, read by name wherever it is used. The case's raw value is its
/// position in the list, so reading by case costs what reading by index costs.
protocol SelectedColumns: CaseIterable, RawRepresentable where RawValue == Int, AllCases == [Self] {
    /// The SQL expression selected for this column (a column name, or a subquery).
    var sql: String { get }
}

extension SelectedColumns {
    /// The SELECT list: every case's expression, in case order.
    static var selection: String {
        precondition(allCases.enumerated().allSatisfy { $0.offset == $0.element.rawValue },
                     "\(Self.self): raw values must be the cases' positions")
        return allCases.map(\.sql).joined(separator: ", ")
    }

    /// The column's position in a raw statement whose SELECT list holds ``selection`` from `offset`.
    func position(after offset: Int32) -> Int32 { offset + Int32(rawValue) }
}

extension Row {
    /// The value of a record column (see ``SelectedColumns``).
    @inline(__always)
    subscript<Value: DatabaseValueConvertible, Column: SelectedColumns>(_ column: Column) -> Value {
        self[column.rawValue]
    }

    /// The value of a record column, read through SQLite's own conversions.
    @inline(__always)
    subscript<Value: DatabaseValueConvertible & StatementColumnConvertible, Column: SelectedColumns>(_ column: Column) -> Value {
        self[column.rawValue]
    }
}
