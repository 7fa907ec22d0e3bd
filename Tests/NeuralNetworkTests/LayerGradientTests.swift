import Autograd
import MatrixMath
import NeuralNetwork
import Random
import TestSupport
import Testing

@Suite("Every layer's and loss's gradients match central differences", .isolatedRandomness)
struct LayerGradientTests {
    @Test("Linear: input, weight and bias gradients (gradcheck)")
    func linear() {
        manualSeed(1)
        let layer = Linear(inputFeatures: 4, outputFeatures: 3)
        let x = randomTensor([5, 4], seed: 2)
        let result = gradcheck([x, layer.weight, layer.bias!]) { _ in layer(x) }
        expectGradientsMatch(result)
        let noBias = Linear(inputFeatures: 4, outputFeatures: 2, bias: false)
        expectGradientsMatch(gradcheck([x, noBias.weight]) { _ in noBias(x) })
    }

    @Test("ReLU, Flatten and LogSoftmax layers (gradcheck)")
    func simpleLayers() {
        let x = randomTensor([2, 3, 2], seed: 3)
        expectGradientsMatch(gradcheck([x]) { ReLU()($0[0]) })
        expectGradientsMatch(
            gradcheck([x]) { Flatten()($0[0]) * Tensor(shape: [2, 6], data: (0..<12).map(Float.init)) })
        expectGradientsMatch(gradcheck([x]) { LogSoftmax(dim: 1)($0[0]) })
    }

    @Test("Dropout: gradient flows through the kept elements only, scaled by 1/(1-p) (gradcheck)")
    func dropout() {
        manualSeed(4)
        let layer = Dropout(p: 0.5)
        let start = layer.generator
        let x = randomTensor([4, 5], seed: 5)
        // Same mask on every evaluation: restart the layer's generator each time.
        let result = gradcheck([x]) { inputs in
            layer.generator = start
            return layer(inputs[0])
        }
        expectGradientsMatch(result)
        layer.generator = start
        let y = layer(x).data
        #expect(y.contains(0) && y.contains { $0 != 0 })
        #expect(zip(y, x.data).allSatisfy { $0 == 0 || abs($0 - 2 * $1) < 1e-6 })
        // The backward scales its gradient in place, but never a caller's array it was lent.
        layer.generator = start
        let given = [Float](repeating: 1, count: 20)
        let sent = layer(x).gradFn?.apply(given).first ?? nil
        #expect(given == [Float](repeating: 1, count: 20))
        #expect(sent == y.map { $0 == 0 ? 0 : 2 })
    }

    @Test("Dropout is the identity in eval mode and drops about p of the elements in training")
    func dropoutModes() {
        let layer = Dropout(p: 0.25)
        let x = Tensor.ones([100, 100])
        let dropped = layer(x).data.filter { $0 == 0 }.count
        #expect(abs(Double(dropped) / 10_000 - 0.25) < 0.02)
        layer.eval()
        #expect(layer(x) === x)
    }

    @Test("Sequential chains its layers (gradcheck through Linear, ReLU, Linear)")
    func sequential() {
        manualSeed(6)
        let model = Sequential(
            Linear(inputFeatures: 3, outputFeatures: 4), ReLU(), Linear(inputFeatures: 4, outputFeatures: 2))
        let x = randomTensor([3, 3], seed: 7)
        let result = gradcheck([x] + model.parameters()) { _ in model(x) }
        expectGradientsMatch(result)
    }

    @Test("crossEntropy, nllLoss and mseLoss, mean and sum reductions (gradcheck)")
    func losses() {
        let logits = randomTensor([4, 3], seed: 8)
        let labels = [2, 0, 1, 1]
        for reduction in [Reduction.mean, .sum] {
            expectGradientsMatch(gradcheck([logits]) { crossEntropy($0[0], labels: labels, reduction: reduction) })
            expectGradientsMatch(
                gradcheck([logits]) { nllLoss($0[0].logSoftmax(dim: 1), labels: labels, reduction: reduction) })
            let target = randomTensor([4, 3], seed: 9)
            expectGradientsMatch(gradcheck([logits, target]) { mseLoss($0[0], $0[1], reduction: reduction) })
        }
    }

    @Test("Loss values: cross-entropy of equal logits is log(classes); MSE of [1,2] vs [0,0] is 2.5")
    func lossValues() {
        #expect(abs(crossEntropy(Tensor.zeros([2, 10]), labels: [3, 7]).item - 2.302_585) < 1e-5)
        #expect(mseLoss(Tensor([1, 2] as [Float]), Tensor([0, 0] as [Float])).item == 2.5)
        #expect(mseLoss(Tensor([1, 2] as [Float]), Tensor([0, 0] as [Float]), reduction: .sum).item == 5)
        #expect(nllLoss(Tensor([[-1, -2], [-3, -4]]), labels: [0, 1], reduction: .sum).item == 5)
    }

    @Test("Autograd's cross-entropy gradient equals the hand-derived (softmax - onehot) / n")
    func crossEntropyMatchesHandGradient() {
        let logits = randomTensor([3, 4], seed: 10)
        crossEntropy(logits, labels: [1, 3, 0]).backward()
        let p = logits.detached().softmax(dim: 1).data
        var expected = p.map { $0 / 3 }
        for (row, label) in [1, 3, 0].enumerated() { expected[row * 4 + label] -= 1.0 / 3 }
        #expect(zip(logits.grad!.data, expected).allSatisfy { abs($0 - $1) < 1e-6 })
    }
}
