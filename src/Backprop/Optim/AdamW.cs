using Backprop.NN;

namespace Backprop.Optim;

/// <summary>Adam with decoupled weight decay, as torch.optim.AdamW: p ← p − lr·wd·p before the Adam step.</summary>
/// <param name="parameters">The parameters.</param>
/// <param name="learningRate">The learning rate.</param>
/// <param name="beta1">β₁.</param>
/// <param name="beta2">β₂.</param>
/// <param name="eps">ε.</param>
/// <param name="weightDecay">The decoupled weight decay (PyTorch's default 0.01).</param>
public sealed class AdamW(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0.01f)
    : Adam(parameters, learningRate, beta1, beta2, eps, weightDecay)
{
    /// <inheritdoc/>
    protected override bool DecoupledWeightDecay => true;
}
