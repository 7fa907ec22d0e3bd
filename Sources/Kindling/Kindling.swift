// The umbrella module: `import Kindling` brings in every part of the framework, the way
// `import torch` does. Each part is its own module so that a reader can see which concept depends
// on which (DESIGN.md's dependency arrows) and so that tests can import one piece alone.
@_exported import MatrixMath
@_exported import Compression
@_exported import SoftmaxRegression
@_exported import Datasets
@_exported import Visualization
@_exported import Autograd
@_exported import NeuralNetwork
@_exported import Optimizers
@_exported import Convolution
