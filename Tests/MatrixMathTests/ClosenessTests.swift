import TestSupport
import Testing

@Suite("The tests' comparison helper names what differs")
struct ClosenessTests {
    @Test("Closeness reports the worst entry with its expected and actual values")
    func namesWorstEntry() {
        let closeness = Closeness([1, 2.5, 3], [1, 2, 3], tolerance: 1e-4)
        #expect(!closeness.isClose)
        #expect(closeness.worstIndex == 1 && closeness.expected == 2 && closeness.actual == 2.5)
        #expect(closeness.description.contains("1 of 3 entries differ; worst is entry 1: expected 2.0, actual 2.5"))
    }

    @Test("Closeness counts NaN as a difference and tolerates rounding relative to the largest value")
    func nanAndScale() {
        #expect(!Closeness([1, .nan], [1, 2], tolerance: 1e-4).isClose)
        #expect(Closeness([1000.05], [1000], tolerance: 1e-4).isClose)
        #expect(!Closeness([1, 2], [1, 2, 3], tolerance: 1e-4).isClose)
    }
}
