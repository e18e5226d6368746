extension Array where Element == Int64 {
    /// Whether these ids, in ascending order, hold `id`: a binary search (the Subject walks
    /// test each id of an index range against their sorted candidates).
    func sortedContains(_ id: Int64) -> Bool {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low < count && self[low] == id
    }
}
