import Autograd
import Testing

@Suite("Counting a step's FLOPs")
struct FLOPCountTests {
    @Test("A 3x784 by 784x10 product: 2mnk forward; backward 2mnk per operand that needs a gradient")
    func product() {
        let x = Tensor.zeros([3, 784]), w = Tensor.zeros([784, 10], requiresGrad: true)
        let count = FLOPCount.measure { _ = x.matmul(w) }
        #expect(count.forward == 2 * 3 * 784 * 10)
        #expect(count.backward == 2 * 3 * 784 * 10)  // only w needs a gradient
        let weight = Tensor.zeros([10, 784], requiresGrad: true)  // Linear's [out, in]
        let both = FLOPCount.measure {
            _ = Tensor.zeros([3, 784], requiresGrad: true).linear(weight: weight, bias: nil)
        }
        #expect(both.backward == 2 * 2 * 3 * 784 * 10)
    }

    @Test("Nothing is counted outside measure, or inside withNoGrad's backward")
    func scope() {
        let w = Tensor.zeros([4, 4], requiresGrad: true)
        _ = w.matmul(w)
        #expect(FLOPCount.measure {}.forward == 0)
        let count = FLOPCount.measure { withNoGrad { _ = w.matmul(w) } }
        #expect(count.forward == 2 * 64 && count.backward == 0)
    }
}
