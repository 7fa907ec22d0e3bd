@_exported import Autograd
@_exported import Compression
@_exported import Convolution
@_exported import Datasets
@_exported import Files
@_exported import MatrixMath
@_exported import Metrics
@_exported import Models
@_exported import NeuralNetwork
@_exported import Optimizers
// The umbrella module: `import Kindling` brings in every part of the framework, the way
// `import torch` does. Each part is its own module so that a reader can see which concept depends
// on which (DESIGN.md's module graph) and so that tests can import one piece alone. This file only
// re-exports; nothing is defined here.
@_exported import Parallel
@_exported import Random
@_exported import SoftmaxRegression
@_exported import Training
@_exported import Visualization
