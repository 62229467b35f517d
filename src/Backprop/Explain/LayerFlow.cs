namespace Backprop.Explain;

/// <summary>What flowed through one Linear layer (and its activation) in one training step.</summary>
/// <param name="Layer">The layer's position among the Linear layers, from 1 at the input.</param>
/// <param name="ActivationMean">The mean of the layer's output after its activation.</param>
/// <param name="ActivationStd">Its standard deviation.</param>
/// <param name="DeadFraction">The fraction of outputs that are zero or negative (dead ReLUs, for ReLU).</param>
/// <param name="GradientMean">The mean of dLoss/dZ, the gradient at the layer's pre-activation.</param>
/// <param name="GradientStd">Its standard deviation.</param>
/// <param name="GradientNorm">Its L2 norm.</param>
/// <param name="WeightGradNorm">The L2 norm of dLoss/dW.</param>
public sealed record LayerFlow(int Layer, double ActivationMean, double ActivationStd, double DeadFraction, double GradientMean, double GradientStd, double GradientNorm, double WeightGradNorm);
